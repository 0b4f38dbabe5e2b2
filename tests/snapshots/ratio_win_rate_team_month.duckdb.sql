SELECT
  "t29"."_key" AS "team_id",
  "t29"."_period" AS "period_start",
  COALESCE("t29"."deals_won", 0) / NULLIF(COALESCE("t29"."deals_won", 0) + COALESCE("t29"."deals_lost", 0), 0) AS "win_rate"
FROM (
  SELECT
    "t28"."_key",
    "t28"."_period",
    MAX("t28"."deals_won") AS "deals_won",
    MAX("t28"."deals_lost") AS "deals_lost",
    MAX("t28"."working_days") AS "working_days"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t26"."_key",
        "t26"."_period",
        "t26"."deals_won",
        "t26"."deals_lost",
        CAST(NULL AS DOUBLE) AS "working_days"
      FROM (
        SELECT
          "t24"."_key",
          "t24"."_period",
          CAST(SUM("t24"."deals_won") AS DOUBLE) AS "deals_won",
          CAST(SUM("t24"."deals_lost") AS DOUBLE) AS "deals_lost"
        FROM (
          SELECT
            "t22"."rep_id",
            "t22"."_period",
            "t22"."deals_won",
            "t22"."deals_lost",
            "t22"."team_id",
            "t22"."team_id" AS "_key"
          FROM (
            SELECT
              "t20"."rep_id",
              "t20"."_period",
              "t20"."deals_won",
              "t20"."deals_lost",
              "t5"."team_id"
            FROM (
              SELECT
                "t17"."rep_id",
                "t17"."_period",
                SUM(CASE WHEN "t17"."status" = 'won' THEN "t17"."_n" ELSE 0 END) AS "deals_won",
                SUM(CASE WHEN "t17"."status" = 'lost' THEN "t17"."_n" ELSE 0 END) AS "deals_lost"
              FROM (
                SELECT
                  "t14"."rep_id",
                  "t14"."created_at",
                  "t14"."status",
                  "t14"."closed_at",
                  "t14"."_n",
                  "t14"."_local",
                  "t14"."_created_local",
                  CAST(DATE_TRUNC('MONTH', "t14"."_local") AS DATE) AS "_period"
                FROM (
                  SELECT
                    "t2"."rep_id",
                    "t2"."created_at",
                    "t2"."status",
                    "t2"."closed_at",
                    1 AS "_n",
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
                ) AS "t14"
                WHERE
                  "t14"."_local" >= MAKE_TIMESTAMP(2025, 1, 1, 0, 0, 0.0)
                  AND "t14"."_local" < MAKE_TIMESTAMP(2025, 4, 1, 0, 0, 0.0)
              ) AS "t17"
              GROUP BY
                1,
                2
            ) AS "t20"
            INNER JOIN "memtable" AS "t5"
              ON "t20"."rep_id" = "t5"."rep_id"
          ) AS "t22"
        ) AS "t24"
        GROUP BY
          1,
          2
      ) AS "t26"
    ) AS "t27"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        "t23"."_key",
        "t23"."_period",
        CAST(NULL AS DOUBLE) AS "deals_won",
        CAST(NULL AS DOUBLE) AS "deals_lost",
        "t23"."working_days"
      FROM (
        SELECT
          "t21"."_key",
          "t21"."_period",
          CAST(COUNT(*) AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t18"."rep_id",
            "t18"."date",
            "t18"."team_id",
            "t18"."team_id" AS "_key",
            CAST(DATE_TRUNC('MONTH', CAST("t18"."date" AS TIMESTAMP)) AS DATE) AS "_period"
          FROM (
            SELECT
              "t16"."rep_id",
              "t16"."date",
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
              FROM "absences" AS "t1"
            ) AS "t10"
              ON "t16"."rep_id" = "t10"."rep_id" AND "t16"."date" = "t10"."date"
            INNER JOIN "memtable" AS "t6"
              ON "t16"."rep_id" = "t6"."rep_id"
          ) AS "t18"
        ) AS "t21"
        GROUP BY
          1,
          2
      ) AS "t23"
    ) AS "t25"
  ) AS "t28"
  GROUP BY
    1,
    2
) AS "t29"
WHERE
  "t29"."_period" IN (MAKE_DATE(2025, 1, 1), MAKE_DATE(2025, 2, 1), MAKE_DATE(2025, 3, 1))
ORDER BY
  "t29"."_key" ASC,
  "t29"."_period" ASC
