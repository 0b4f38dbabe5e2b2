WITH "t30" AS (
  SELECT
    "t29"."_key",
    "t29"."_period",
    MAX("t29"."sales_cycle_days") AS "sales_cycle_days",
    MAX("t29"."deals_won") AS "deals_won",
    MAX("t29"."working_days") AS "working_days"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t27"."_key",
        "t27"."_period",
        CAST(NULL AS DOUBLE) AS "sales_cycle_days",
        CAST(NULL AS DOUBLE) AS "deals_won",
        "t27"."working_days"
      FROM (
        SELECT
          "t24"."_key",
          "t24"."_period",
          CAST(COUNT(*) AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t22"."rep_id",
            "t22"."date",
            "t22"."rep_id" AS "_key",
            CAST(DATE_TRUNC('QUARTER', CAST("t22"."date" AS TIMESTAMP)) AS DATE) AS "_period"
          FROM (
            SELECT
              "t18"."rep_id",
              "t18"."date"
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t12"."rep_id",
                  "t12"."start_date",
                  "t12"."end_date",
                  "t13"."date"
                FROM (
                  SELECT
                    "t4"."rep_id",
                    "t4"."start_date",
                    "t4"."end_date"
                  FROM "reps" AS "t4"
                ) AS "t12"
                CROSS JOIN (
                  SELECT
                    *
                  FROM "memtable" AS "t5"
                ) AS "t13"
              ) AS "t15"
              WHERE
                (
                  (
                    "t15"."start_date" IS NULL
                  ) OR (
                    "t15"."date" >= "t15"."start_date"
                  )
                )
                AND (
                  (
                    "t15"."end_date" IS NULL
                  ) OR (
                    "t15"."date" <= "t15"."end_date"
                  )
                )
            ) AS "t18"
            ANTI JOIN (
              SELECT
                *
              FROM "absences" AS "t3"
            ) AS "t11"
              ON "t18"."rep_id" = "t11"."rep_id" AND "t18"."date" = "t11"."date"
          ) AS "t22"
        ) AS "t24"
        GROUP BY
          1,
          2
      ) AS "t27"
    ) AS "t28"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t23"."_key",
          "t23"."_period",
          "t23"."sales_cycle_days",
          CAST(NULL AS DOUBLE) AS "deals_won",
          CAST(NULL AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t20"."_key",
            "t20"."_period",
            QUANTILE_CONT(
              CASE
                WHEN "t20"."status" = 'won'
                THEN CAST(DATE_DIFF('DAY', CAST("t20"."_created_local" AS DATE), CAST("t20"."_local" AS DATE)) AS DOUBLE)
                ELSE CAST(NULL AS DOUBLE)
              END,
              0.5
            ) AS "sales_cycle_days"
          FROM (
            SELECT
              "t16"."deal_id",
              "t16"."rep_id",
              "t16"."created_at",
              "t16"."status",
              "t16"."amount",
              "t16"."currency",
              "t16"."closed_at",
              "t16"."account_id",
              "t16"."stage",
              "t16"."kind",
              "t16"."lost_reason",
              "t16"."source",
              "t16"."amount_given",
              "t16"."amount_created",
              "t16"."_n",
              "t16"."_n_amount",
              "t16"."_local",
              "t16"."_created_local",
              CAST(DATE_TRUNC('QUARTER', "t16"."_local") AS DATE) AS "_period",
              "t16"."rep_id" AS "_key"
            FROM (
              SELECT
                "t2"."deal_id",
                "t2"."rep_id",
                "t2"."created_at",
                "t2"."status",
                "t2"."amount",
                "t2"."currency",
                "t2"."closed_at",
                "t2"."account_id",
                "t2"."stage",
                "t2"."kind",
                "t2"."lost_reason",
                "t2"."source",
                "t2"."amount" AS "amount_given",
                "t2"."amount" AS "amount_created",
                1 AS "_n",
                CASE WHEN "t2"."amount" IS NOT NULL THEN 1 ELSE 0 END AS "_n_amount",
                CASE
                  WHEN "t2"."closed_at" = (
                    DATE_TRUNC('DAY', "t2"."closed_at") + INTERVAL '43200314159' MICROSECOND
                  )
                  THEN DATE_TRUNC('DAY', "t2"."closed_at")
                  ELSE "t2"."closed_at" + TO_SECONDS(
                    CASE
                      WHEN "t2"."closed_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                      THEN 3600
                      ELSE 7200
                    END
                  )
                END AS "_local",
                CASE
                  WHEN "t2"."created_at" = (
                    DATE_TRUNC('DAY', "t2"."created_at") + INTERVAL '43200314159' MICROSECOND
                  )
                  THEN DATE_TRUNC('DAY', "t2"."created_at")
                  ELSE "t2"."created_at" + TO_SECONDS(
                    CASE
                      WHEN "t2"."created_at" < MAKE_TIMESTAMP(2015, 3, 29, 1, 0, 0.0)
                      THEN 3600
                      WHEN "t2"."created_at" < MAKE_TIMESTAMP(2015, 10, 25, 1, 0, 0.0)
                      THEN 7200
                      WHEN "t2"."created_at" < MAKE_TIMESTAMP(2016, 3, 27, 1, 0, 0.0)
                      THEN 3600
                      WHEN "t2"."created_at" < MAKE_TIMESTAMP(2016, 10, 30, 1, 0, 0.0)
                      THEN 7200
                      WHEN "t2"."created_at" < MAKE_TIMESTAMP(2017, 3, 26, 1, 0, 0.0)
                      THEN 3600
                      WHEN "t2"."created_at" < MAKE_TIMESTAMP(2017, 10, 29, 1, 0, 0.0)
                      THEN 7200
                      WHEN "t2"."created_at" < MAKE_TIMESTAMP(2018, 3, 25, 1, 0, 0.0)
                      THEN 3600
                      WHEN "t2"."created_at" < MAKE_TIMESTAMP(2018, 10, 28, 1, 0, 0.0)
                      THEN 7200
                      WHEN "t2"."created_at" < MAKE_TIMESTAMP(2019, 3, 31, 1, 0, 0.0)
                      THEN 3600
                      WHEN "t2"."created_at" < MAKE_TIMESTAMP(2019, 10, 27, 1, 0, 0.0)
                      THEN 7200
                      WHEN "t2"."created_at" < MAKE_TIMESTAMP(2020, 3, 29, 1, 0, 0.0)
                      THEN 3600
                      WHEN "t2"."created_at" < MAKE_TIMESTAMP(2020, 10, 25, 1, 0, 0.0)
                      THEN 7200
                      WHEN "t2"."created_at" < MAKE_TIMESTAMP(2021, 3, 28, 1, 0, 0.0)
                      THEN 3600
                      WHEN "t2"."created_at" < MAKE_TIMESTAMP(2021, 10, 31, 1, 0, 0.0)
                      THEN 7200
                      WHEN "t2"."created_at" < MAKE_TIMESTAMP(2022, 3, 27, 1, 0, 0.0)
                      THEN 3600
                      WHEN "t2"."created_at" < MAKE_TIMESTAMP(2022, 10, 30, 1, 0, 0.0)
                      THEN 7200
                      WHEN "t2"."created_at" < MAKE_TIMESTAMP(2023, 3, 26, 1, 0, 0.0)
                      THEN 3600
                      WHEN "t2"."created_at" < MAKE_TIMESTAMP(2023, 10, 29, 1, 0, 0.0)
                      THEN 7200
                      WHEN "t2"."created_at" < MAKE_TIMESTAMP(2024, 3, 31, 1, 0, 0.0)
                      THEN 3600
                      WHEN "t2"."created_at" < MAKE_TIMESTAMP(2024, 10, 27, 1, 0, 0.0)
                      THEN 7200
                      WHEN "t2"."created_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                      THEN 3600
                      ELSE 7200
                    END
                  )
                END AS "_created_local"
              FROM "deals" AS "t2"
              WHERE
                "t2"."status" IN ('won', 'lost') AND "t2"."closed_at" IS NOT NULL
            ) AS "t16"
            WHERE
              "t16"."_local" >= MAKE_TIMESTAMP(2025, 1, 1, 0, 0, 0.0)
              AND "t16"."_local" < MAKE_TIMESTAMP(2025, 7, 1, 0, 0, 0.0)
          ) AS "t20"
          GROUP BY
            1,
            2
        ) AS "t23"
      ) AS "t25"
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          "t19"."_key",
          "t19"."_period",
          CAST(NULL AS DOUBLE) AS "sales_cycle_days",
          "t19"."deals_won",
          CAST(NULL AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t14"."_key",
            "t14"."_period",
            CAST(SUM(CASE WHEN "t14"."status" = 'won' THEN "t14"."_n" ELSE 0 END) AS DOUBLE) AS "deals_won"
          FROM (
            SELECT
              "t1"."rep_id",
              "t1"."day",
              "t1"."event",
              "t1"."fx_day",
              "t1"."status",
              "t1"."kind",
              "t1"."source",
              "t1"."currency",
              "t1"."_n",
              "t1"."amount",
              "t1"."_n_amount",
              CAST("t1"."day" AS TIMESTAMP) AS "_local",
              CAST(DATE_TRUNC('QUARTER', CAST("t1"."day" AS TIMESTAMP)) AS DATE) AS "_period",
              "t1"."rep_id" AS "_key"
            FROM "rollup_deals" AS "t1"
            WHERE
              "t1"."event" = 'closed'
              AND "t1"."day" >= MAKE_DATE(2025, 1, 1)
              AND "t1"."day" < MAKE_DATE(2025, 7, 1)
          ) AS "t14"
          GROUP BY
            1,
            2
        ) AS "t19"
      ) AS "t21"
    ) AS "t26"
  ) AS "t29"
  GROUP BY
    1,
    2
)
SELECT
  "t39"."_key" AS "rep_id",
  "t39"."_period" AS "period_start",
  "t39"."sales_cycle_days",
  "t39"."sales_cycle_days_prev"
FROM (
  SELECT
    "t38"."_key",
    "t38"."_period",
    "t38"."sales_cycle_days",
    "t34"."sales_cycle_days_prev"
  FROM (
    SELECT
      "t36".*
      EXCLUDE ("_p")
    FROM (
      SELECT
        "t35"."_key",
        "t35"."_period",
        "t35"."sales_cycle_days",
        "t10"."_p",
        "t10"."_e"
      FROM (
        SELECT
          "t31"."_key",
          "t31"."_period",
          "t31"."sales_cycle_days"
        FROM "t30" AS "t31"
        WHERE
          "t31"."_period" IN (MAKE_DATE(2025, 4, 1))
      ) AS "t35"
      LEFT OUTER JOIN (
        SELECT
          *
        FROM "memtable" AS "t0"
      ) AS "t10"
        ON "t35"."_period" = "t10"."_p"
    ) AS "t36"
  ) AS "t38"
  LEFT OUTER JOIN (
    SELECT
      "t31"."_key" AS "_ek",
      "t31"."_period" AS "_ee",
      "t31"."sales_cycle_days" AS "sales_cycle_days_prev"
    FROM "t30" AS "t31"
  ) AS "t34"
    ON "t38"."_key" = "t34"."_ek" AND "t38"."_e" = "t34"."_ee"
) AS "t39"
ORDER BY
  "t39"."_key" ASC,
  "t39"."_period" ASC
