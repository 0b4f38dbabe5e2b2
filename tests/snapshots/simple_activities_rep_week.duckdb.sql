SELECT
  "t22"."_key" AS "rep_id",
  "t22"."_period" AS "period_start",
  COALESCE("t22"."activities", 0) AS "activities"
FROM (
  SELECT
    "t21"."_key",
    "t21"."_period",
    MAX("t21"."activities") AS "activities",
    MAX("t21"."working_days") AS "working_days"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t15"."_key",
        "t15"."_period",
        "t15"."activities",
        CAST(NULL AS DOUBLE) AS "working_days"
      FROM (
        SELECT
          "t13"."_key",
          "t13"."_period",
          CAST(SUM("t13"."_n") AS DOUBLE) AS "activities"
        FROM (
          SELECT
            "t11"."activity_id",
            "t11"."rep_id",
            "t11"."type",
            "t11"."occurred_at",
            "t11"."duration_min",
            "t11"."outcome",
            "t11"."deal_id",
            "t11"."lead_id",
            "t11"."account_id",
            "t11"."_n",
            "t11"."_local",
            CAST(DATE_TRUNC('WEEK', "t11"."_local") AS DATE) AS "_period",
            "t11"."rep_id" AS "_key"
          FROM (
            SELECT
              "t0"."activity_id",
              "t0"."rep_id",
              "t0"."type",
              "t0"."occurred_at",
              "t0"."duration_min",
              "t0"."outcome",
              "t0"."deal_id",
              "t0"."lead_id",
              "t0"."account_id",
              1 AS "_n",
              CASE
                WHEN "t0"."occurred_at" = (
                  DATE_TRUNC('DAY', "t0"."occurred_at") + INTERVAL '43200314159' MICROSECOND
                )
                THEN DATE_TRUNC('DAY', "t0"."occurred_at")
                ELSE "t0"."occurred_at" + INTERVAL '3600' SECOND
              END AS "_local"
            FROM "activities" AS "t0"
            WHERE
              "t0"."occurred_at" IS NOT NULL
          ) AS "t11"
          WHERE
            "t11"."_local" >= MAKE_TIMESTAMP(2025, 1, 6, 0, 0, 0.0)
            AND "t11"."_local" < MAKE_TIMESTAMP(2025, 2, 3, 0, 0, 0.0)
        ) AS "t13"
        GROUP BY
          1,
          2
      ) AS "t15"
    ) AS "t17"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        "t19"."_key",
        "t19"."_period",
        CAST(NULL AS DOUBLE) AS "activities",
        "t19"."working_days"
      FROM (
        SELECT
          "t18"."_key",
          "t18"."_period",
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
              ) AS "t10"
              WHERE
                (
                  (
                    "t10"."start_date" IS NULL
                  ) OR (
                    "t10"."date" >= "t10"."start_date"
                  )
                )
                AND (
                  (
                    "t10"."end_date" IS NULL
                  ) OR (
                    "t10"."date" <= "t10"."end_date"
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
        ) AS "t18"
        GROUP BY
          1,
          2
      ) AS "t19"
    ) AS "t20"
  ) AS "t21"
  GROUP BY
    1,
    2
) AS "t22"
WHERE
  "t22"."_period" IN (
    MAKE_DATE(2025, 1, 6),
    MAKE_DATE(2025, 1, 13),
    MAKE_DATE(2025, 1, 20),
    MAKE_DATE(2025, 1, 27)
  )
ORDER BY
  "t22"."_key" ASC,
  "t22"."_period" ASC
