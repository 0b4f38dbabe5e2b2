SELECT
  "t28"."_key" AS "team_id",
  "t28"."_period" AS "period_start",
  COALESCE("t28"."deals_won", 0) / NULLIF(COALESCE("t28"."deals_won", 0) + COALESCE("t28"."deals_lost", 0), 0) AS "win_rate"
FROM (
  SELECT
    "t27"."_key",
    "t27"."_period",
    MAX("t27"."deals_won") AS "deals_won",
    MAX("t27"."deals_lost") AS "deals_lost",
    MAX("t27"."working_days") AS "working_days"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t23"."_key",
        "t23"."_period",
        "t23"."deals_won",
        "t23"."deals_lost",
        CAST(NULL AS DOUBLE) AS "working_days"
      FROM (
        SELECT
          "t21"."_key",
          "t21"."_period",
          CAST(SUM("t21"."deals_won") AS DOUBLE) AS "deals_won",
          CAST(SUM("t21"."deals_lost") AS DOUBLE) AS "deals_lost"
        FROM (
          SELECT
            "t20"."rep_id",
            "t20"."_period",
            "t20"."deals_won",
            "t20"."deals_lost",
            "t20"."team_id",
            "t20"."team_id" AS "_key"
          FROM (
            SELECT
              "t18"."rep_id",
              "t18"."_period",
              "t18"."deals_won",
              "t18"."deals_lost",
              "t5"."team_id"
            FROM (
              SELECT
                "t13"."rep_id",
                "t13"."_period",
                SUM(CASE WHEN "t13"."status" = 'won' THEN "t13"."_n" ELSE 0 END) AS "deals_won",
                SUM(CASE WHEN "t13"."status" = 'lost' THEN "t13"."_n" ELSE 0 END) AS "deals_lost"
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
                  CAST(DATE_TRUNC('MONTH', CAST("t1"."day" AS TIMESTAMP)) AS DATE) AS "_period"
                FROM "rollup_deals" AS "t1"
                WHERE
                  "t1"."event" = 'closed'
                  AND "t1"."day" >= MAKE_DATE(2025, 1, 1)
                  AND "t1"."day" < MAKE_DATE(2025, 4, 1)
              ) AS "t13"
              GROUP BY
                1,
                2
            ) AS "t18"
            INNER JOIN "memtable" AS "t5"
              ON "t18"."rep_id" = "t5"."rep_id"
          ) AS "t20"
        ) AS "t21"
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
        "t24"."_key",
        "t24"."_period",
        CAST(NULL AS DOUBLE) AS "deals_won",
        CAST(NULL AS DOUBLE) AS "deals_lost",
        "t24"."working_days"
      FROM (
        SELECT
          "t22"."_key",
          "t22"."_period",
          CAST(COUNT(*) AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t19"."rep_id",
            "t19"."date",
            "t19"."team_id",
            "t19"."team_id" AS "_key",
            CAST(DATE_TRUNC('MONTH', CAST("t19"."date" AS TIMESTAMP)) AS DATE) AS "_period"
          FROM (
            SELECT
              "t17"."rep_id",
              "t17"."date",
              "t6"."team_id"
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
              ) AS "t14"
              WHERE
                (
                  (
                    "t14"."start_date" IS NULL
                  ) OR (
                    "t14"."date" >= "t14"."start_date"
                  )
                )
                AND (
                  (
                    "t14"."end_date" IS NULL
                  ) OR (
                    "t14"."date" <= "t14"."end_date"
                  )
                )
            ) AS "t17"
            ANTI JOIN (
              SELECT
                *
              FROM "absences" AS "t2"
            ) AS "t10"
              ON "t17"."rep_id" = "t10"."rep_id" AND "t17"."date" = "t10"."date"
            INNER JOIN "memtable" AS "t6"
              ON "t17"."rep_id" = "t6"."rep_id"
          ) AS "t19"
        ) AS "t22"
        GROUP BY
          1,
          2
      ) AS "t24"
    ) AS "t26"
  ) AS "t27"
  GROUP BY
    1,
    2
) AS "t28"
WHERE
  "t28"."_period" IN (MAKE_DATE(2025, 1, 1), MAKE_DATE(2025, 2, 1), MAKE_DATE(2025, 3, 1))
ORDER BY
  "t28"."_key" ASC,
  "t28"."_period" ASC
