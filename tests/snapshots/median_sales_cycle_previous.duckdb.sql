WITH "t25" AS (
  SELECT
    "t24"."_key",
    "t24"."_period",
    MAX("t24"."sales_cycle_days") AS "sales_cycle_days",
    MAX("t24"."deals_won") AS "deals_won",
    MAX("t24"."working_days") AS "working_days"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t19"."_key",
        "t19"."_period",
        "t19"."sales_cycle_days",
        "t19"."deals_won",
        CAST(NULL AS DOUBLE) AS "working_days"
      FROM (
        SELECT
          "t17"."_key",
          "t17"."_period",
          QUANTILE_CONT(
            CASE
              WHEN "t17"."status" = 'won'
              THEN CAST(DATE_DIFF('DAY', CAST("t17"."_created_local" AS DATE), CAST("t17"."_local" AS DATE)) AS DOUBLE)
              ELSE CAST(NULL AS DOUBLE)
            END,
            0.5
          ) AS "sales_cycle_days",
          CAST(SUM(CASE WHEN "t17"."status" = 'won' THEN "t17"."_n" ELSE 0 END) AS DOUBLE) AS "deals_won"
        FROM (
          SELECT
            "t14"."deal_id",
            "t14"."rep_id",
            "t14"."created_at",
            "t14"."status",
            "t14"."amount",
            "t14"."currency",
            "t14"."closed_at",
            "t14"."account_id",
            "t14"."stage",
            "t14"."kind",
            "t14"."lost_reason",
            "t14"."source",
            "t14"."amount_given",
            "t14"."amount_created",
            "t14"."_n",
            "t14"."_n_amount",
            "t14"."_local",
            "t14"."_created_local",
            CAST(DATE_TRUNC('QUARTER', "t14"."_local") AS DATE) AS "_period",
            "t14"."rep_id" AS "_key"
          FROM (
            SELECT
              "t1"."deal_id",
              "t1"."rep_id",
              "t1"."created_at",
              "t1"."status",
              "t1"."amount",
              "t1"."currency",
              "t1"."closed_at",
              "t1"."account_id",
              "t1"."stage",
              "t1"."kind",
              "t1"."lost_reason",
              "t1"."source",
              "t1"."amount" AS "amount_given",
              "t1"."amount" AS "amount_created",
              1 AS "_n",
              CASE WHEN "t1"."amount" IS NOT NULL THEN 1 ELSE 0 END AS "_n_amount",
              CASE
                WHEN "t1"."closed_at" = (
                  DATE_TRUNC('DAY', "t1"."closed_at") + INTERVAL '43200314159' MICROSECOND
                )
                THEN DATE_TRUNC('DAY', "t1"."closed_at")
                ELSE "t1"."closed_at" + TO_SECONDS(
                  CASE
                    WHEN "t1"."closed_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                    THEN 3600
                    ELSE 7200
                  END
                )
              END AS "_local",
              CASE
                WHEN "t1"."created_at" = (
                  DATE_TRUNC('DAY', "t1"."created_at") + INTERVAL '43200314159' MICROSECOND
                )
                THEN DATE_TRUNC('DAY', "t1"."created_at")
                ELSE "t1"."created_at" + TO_SECONDS(
                  CASE
                    WHEN "t1"."created_at" < MAKE_TIMESTAMP(2015, 3, 29, 1, 0, 0.0)
                    THEN 3600
                    WHEN "t1"."created_at" < MAKE_TIMESTAMP(2015, 10, 25, 1, 0, 0.0)
                    THEN 7200
                    WHEN "t1"."created_at" < MAKE_TIMESTAMP(2016, 3, 27, 1, 0, 0.0)
                    THEN 3600
                    WHEN "t1"."created_at" < MAKE_TIMESTAMP(2016, 10, 30, 1, 0, 0.0)
                    THEN 7200
                    WHEN "t1"."created_at" < MAKE_TIMESTAMP(2017, 3, 26, 1, 0, 0.0)
                    THEN 3600
                    WHEN "t1"."created_at" < MAKE_TIMESTAMP(2017, 10, 29, 1, 0, 0.0)
                    THEN 7200
                    WHEN "t1"."created_at" < MAKE_TIMESTAMP(2018, 3, 25, 1, 0, 0.0)
                    THEN 3600
                    WHEN "t1"."created_at" < MAKE_TIMESTAMP(2018, 10, 28, 1, 0, 0.0)
                    THEN 7200
                    WHEN "t1"."created_at" < MAKE_TIMESTAMP(2019, 3, 31, 1, 0, 0.0)
                    THEN 3600
                    WHEN "t1"."created_at" < MAKE_TIMESTAMP(2019, 10, 27, 1, 0, 0.0)
                    THEN 7200
                    WHEN "t1"."created_at" < MAKE_TIMESTAMP(2020, 3, 29, 1, 0, 0.0)
                    THEN 3600
                    WHEN "t1"."created_at" < MAKE_TIMESTAMP(2020, 10, 25, 1, 0, 0.0)
                    THEN 7200
                    WHEN "t1"."created_at" < MAKE_TIMESTAMP(2021, 3, 28, 1, 0, 0.0)
                    THEN 3600
                    WHEN "t1"."created_at" < MAKE_TIMESTAMP(2021, 10, 31, 1, 0, 0.0)
                    THEN 7200
                    WHEN "t1"."created_at" < MAKE_TIMESTAMP(2022, 3, 27, 1, 0, 0.0)
                    THEN 3600
                    WHEN "t1"."created_at" < MAKE_TIMESTAMP(2022, 10, 30, 1, 0, 0.0)
                    THEN 7200
                    WHEN "t1"."created_at" < MAKE_TIMESTAMP(2023, 3, 26, 1, 0, 0.0)
                    THEN 3600
                    WHEN "t1"."created_at" < MAKE_TIMESTAMP(2023, 10, 29, 1, 0, 0.0)
                    THEN 7200
                    WHEN "t1"."created_at" < MAKE_TIMESTAMP(2024, 3, 31, 1, 0, 0.0)
                    THEN 3600
                    WHEN "t1"."created_at" < MAKE_TIMESTAMP(2024, 10, 27, 1, 0, 0.0)
                    THEN 7200
                    WHEN "t1"."created_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                    THEN 3600
                    ELSE 7200
                  END
                )
              END AS "_created_local"
            FROM "deals" AS "t1"
            WHERE
              "t1"."status" IN ('won', 'lost') AND "t1"."closed_at" IS NOT NULL
          ) AS "t14"
          WHERE
            "t14"."_local" >= MAKE_TIMESTAMP(2025, 1, 1, 0, 0, 0.0)
            AND "t14"."_local" < MAKE_TIMESTAMP(2025, 7, 1, 0, 0, 0.0)
        ) AS "t17"
        GROUP BY
          1,
          2
      ) AS "t19"
    ) AS "t21"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        "t22"."_key",
        "t22"."_period",
        CAST(NULL AS DOUBLE) AS "sales_cycle_days",
        CAST(NULL AS DOUBLE) AS "deals_won",
        "t22"."working_days"
      FROM (
        SELECT
          "t20"."_key",
          "t20"."_period",
          CAST(COUNT(*) AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t18"."rep_id",
            "t18"."date",
            "t18"."rep_id" AS "_key",
            CAST(DATE_TRUNC('QUARTER', CAST("t18"."date" AS TIMESTAMP)) AS DATE) AS "_period"
          FROM (
            SELECT
              "t16"."rep_id",
              "t16"."date"
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t11"."rep_id",
                  "t11"."start_date",
                  "t11"."end_date",
                  "t12"."date"
                FROM (
                  SELECT
                    "t3"."rep_id",
                    "t3"."start_date",
                    "t3"."end_date"
                  FROM "reps" AS "t3"
                ) AS "t11"
                CROSS JOIN (
                  SELECT
                    *
                  FROM "memtable" AS "t4"
                ) AS "t12"
              ) AS "t13"
              WHERE
                (
                  (
                    "t13"."start_date" IS NULL
                  ) OR (
                    "t13"."date" >= "t13"."start_date"
                  )
                )
                AND (
                  (
                    "t13"."end_date" IS NULL
                  ) OR (
                    "t13"."date" <= "t13"."end_date"
                  )
                )
            ) AS "t16"
            ANTI JOIN (
              SELECT
                *
              FROM "absences" AS "t2"
            ) AS "t10"
              ON "t16"."rep_id" = "t10"."rep_id" AND "t16"."date" = "t10"."date"
          ) AS "t18"
        ) AS "t20"
        GROUP BY
          1,
          2
      ) AS "t22"
    ) AS "t23"
  ) AS "t24"
  GROUP BY
    1,
    2
)
SELECT
  "t34"."_key" AS "rep_id",
  "t34"."_period" AS "period_start",
  "t34"."sales_cycle_days",
  "t34"."sales_cycle_days_prev"
FROM (
  SELECT
    "t33"."_key",
    "t33"."_period",
    "t33"."sales_cycle_days",
    "t29"."sales_cycle_days_prev"
  FROM (
    SELECT
      "t31".*
      EXCLUDE ("_p")
    FROM (
      SELECT
        "t30"."_key",
        "t30"."_period",
        "t30"."sales_cycle_days",
        "t9"."_p",
        "t9"."_e"
      FROM (
        SELECT
          "t26"."_key",
          "t26"."_period",
          "t26"."sales_cycle_days"
        FROM "t25" AS "t26"
        WHERE
          "t26"."_period" IN (MAKE_DATE(2025, 4, 1))
      ) AS "t30"
      LEFT OUTER JOIN (
        SELECT
          *
        FROM "memtable" AS "t0"
      ) AS "t9"
        ON "t30"."_period" = "t9"."_p"
    ) AS "t31"
  ) AS "t33"
  LEFT OUTER JOIN (
    SELECT
      "t26"."_key" AS "_ek",
      "t26"."_period" AS "_ee",
      "t26"."sales_cycle_days" AS "sales_cycle_days_prev"
    FROM "t25" AS "t26"
  ) AS "t29"
    ON "t33"."_key" = "t29"."_ek" AND "t33"."_e" = "t29"."_ee"
) AS "t34"
ORDER BY
  "t34"."_key" ASC,
  "t34"."_period" ASC
