WITH "t24" AS (
  SELECT
    "t23"."_key",
    "t23"."_period",
    MAX("t23"."sales_cycle_days") AS "sales_cycle_days",
    MAX("t23"."deals_won") AS "deals_won",
    MAX("t23"."working_days") AS "working_days"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t18"."_key",
        "t18"."_period",
        "t18"."sales_cycle_days",
        "t18"."deals_won",
        CAST(NULL AS DOUBLE) AS "working_days"
      FROM (
        SELECT
          "t14"."_key",
          "t14"."_period",
          QUANTILE_CONT(
            CASE
              WHEN "t14"."status" = 'won'
              THEN CAST(DATE_DIFF('DAY', CAST("t14"."_created_local" AS DATE), CAST("t14"."_local" AS DATE)) AS DOUBLE)
              ELSE CAST(NULL AS DOUBLE)
            END,
            0.5
          ) AS "sales_cycle_days",
          CAST(SUM(CAST("t14"."status" = 'won' AS INT)) AS DOUBLE) AS "deals_won"
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
            "t1"."closed_at" + TO_SECONDS(
              CASE
                WHEN "t1"."closed_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                THEN 3600
                ELSE 7200
              END
            ) AS "_local",
            "t1"."created_at" + TO_SECONDS(
              CASE
                WHEN "t1"."created_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                THEN 3600
                ELSE 7200
              END
            ) AS "_created_local",
            CAST(DATE_TRUNC(
              'QUARTER',
              "t1"."closed_at" + TO_SECONDS(
                CASE
                  WHEN "t1"."closed_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                  THEN 3600
                  ELSE 7200
                END
              )
            ) AS DATE) AS "_period",
            "t1"."rep_id" AS "_key"
          FROM "deals" AS "t1"
          WHERE
            "t1"."status" IN ('won', 'lost')
            AND "t1"."closed_at" IS NOT NULL
            AND (
              "t1"."closed_at" + TO_SECONDS(
                CASE
                  WHEN "t1"."closed_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                  THEN 3600
                  ELSE 7200
                END
              )
            ) >= MAKE_TIMESTAMP(2025, 1, 1, 0, 0, 0.0)
            AND (
              "t1"."closed_at" + TO_SECONDS(
                CASE
                  WHEN "t1"."closed_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                  THEN 3600
                  ELSE 7200
                END
              )
            ) < MAKE_TIMESTAMP(2025, 7, 1, 0, 0, 0.0)
        ) AS "t14"
        GROUP BY
          1,
          2
      ) AS "t18"
    ) AS "t19"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        "t21"."_key",
        "t21"."_period",
        CAST(NULL AS DOUBLE) AS "sales_cycle_days",
        CAST(NULL AS DOUBLE) AS "deals_won",
        "t21"."working_days"
      FROM (
        SELECT
          "t20"."_key",
          "t20"."_period",
          CAST(COUNT(*) AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t17"."rep_id",
            "t17"."date",
            "t17"."rep_id" AS "_key",
            CAST(DATE_TRUNC('QUARTER', CAST("t17"."date" AS TIMESTAMP)) AS DATE) AS "_period"
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
          ) AS "t17"
        ) AS "t20"
        GROUP BY
          1,
          2
      ) AS "t21"
    ) AS "t22"
  ) AS "t23"
  GROUP BY
    1,
    2
)
SELECT
  "t33"."_key" AS "rep_id",
  "t33"."_period" AS "period_start",
  "t33"."sales_cycle_days",
  "t33"."sales_cycle_days_prev"
FROM (
  SELECT
    "t32"."_key",
    "t32"."_period",
    "t32"."sales_cycle_days",
    "t28"."sales_cycle_days_prev"
  FROM (
    SELECT
      "t30".*
      EXCLUDE ("_p")
    FROM (
      SELECT
        "t29"."_key",
        "t29"."_period",
        "t29"."sales_cycle_days",
        "t9"."_p",
        "t9"."_e"
      FROM (
        SELECT
          "t25"."_key",
          "t25"."_period",
          "t25"."sales_cycle_days"
        FROM "t24" AS "t25"
        WHERE
          "t25"."_period" IN (MAKE_DATE(2025, 4, 1))
      ) AS "t29"
      LEFT OUTER JOIN (
        SELECT
          *
        FROM "memtable" AS "t0"
      ) AS "t9"
        ON "t29"."_period" = "t9"."_p"
    ) AS "t30"
  ) AS "t32"
  LEFT OUTER JOIN (
    SELECT
      "t25"."_key" AS "_ek",
      "t25"."_period" AS "_ee",
      "t25"."sales_cycle_days" AS "sales_cycle_days_prev"
    FROM "t24" AS "t25"
  ) AS "t28"
    ON "t32"."_key" = "t28"."_ek" AND "t32"."_e" = "t28"."_ee"
) AS "t33"
ORDER BY
  "t33"."_key" ASC,
  "t33"."_period" ASC
