SELECT
  "t21"."_key" AS "rep_id",
  "t21"."_period" AS "period_start",
  COALESCE("t21"."activities", 0) AS "activities"
FROM (
  SELECT
    "t20"."_key",
    "t20"."_period",
    MAX("t20"."activities") AS "activities",
    MAX("t20"."working_days") AS "working_days"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t12"."_key",
        "t12"."_period",
        "t12"."activities",
        CAST(NULL AS DOUBLE) AS "working_days"
      FROM (
        SELECT
          "t10"."_key",
          "t10"."_period",
          CAST(SUM("t10"."_n") AS DOUBLE) AS "activities"
        FROM (
          SELECT
            "t0"."rep_id",
            "t0"."day",
            "t0"."type",
            "t0"."outcome",
            "t0"."_n",
            "t0"."duration_min",
            "t0"."_n_duration",
            CAST("t0"."day" AS TIMESTAMP) AS "_local",
            CAST(DATE_TRUNC('WEEK', CAST("t0"."day" AS TIMESTAMP)) AS DATE) AS "_period",
            "t0"."rep_id" AS "_key"
          FROM "rollup_activities" AS "t0"
          WHERE
            "t0"."day" >= MAKE_DATE(2025, 1, 6) AND "t0"."day" < MAKE_DATE(2025, 2, 3)
        ) AS "t10"
        GROUP BY
          1,
          2
      ) AS "t12"
    ) AS "t15"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        "t18"."_key",
        "t18"."_period",
        CAST(NULL AS DOUBLE) AS "activities",
        "t18"."working_days"
      FROM (
        SELECT
          "t17"."_key",
          "t17"."_period",
          CAST(COUNT(*) AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t16"."rep_id",
            "t16"."date",
            "t16"."rep_id" AS "_key",
            CAST(DATE_TRUNC('WEEK', CAST("t16"."date" AS TIMESTAMP)) AS DATE) AS "_period"
          FROM (
            SELECT
              "t14"."rep_id",
              "t14"."date"
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t8"."rep_id",
                  "t8"."start_date",
                  "t8"."end_date",
                  "t9"."date"
                FROM (
                  SELECT
                    "t2"."rep_id",
                    "t2"."start_date",
                    "t2"."end_date"
                  FROM "reps" AS "t2"
                ) AS "t8"
                CROSS JOIN (
                  SELECT
                    *
                  FROM "memtable" AS "t3"
                ) AS "t9"
              ) AS "t11"
              WHERE
                (
                  (
                    "t11"."start_date" IS NULL
                  ) OR (
                    "t11"."date" >= "t11"."start_date"
                  )
                )
                AND (
                  (
                    "t11"."end_date" IS NULL
                  ) OR (
                    "t11"."date" <= "t11"."end_date"
                  )
                )
            ) AS "t14"
            ANTI JOIN (
              SELECT
                *
              FROM "absences" AS "t1"
            ) AS "t7"
              ON "t14"."rep_id" = "t7"."rep_id" AND "t14"."date" = "t7"."date"
          ) AS "t16"
        ) AS "t17"
        GROUP BY
          1,
          2
      ) AS "t18"
    ) AS "t19"
  ) AS "t20"
  GROUP BY
    1,
    2
) AS "t21"
WHERE
  "t21"."_period" IN (
    MAKE_DATE(2025, 1, 6),
    MAKE_DATE(2025, 1, 13),
    MAKE_DATE(2025, 1, 20),
    MAKE_DATE(2025, 1, 27)
  )
ORDER BY
  "t21"."_key" ASC,
  "t21"."_period" ASC
