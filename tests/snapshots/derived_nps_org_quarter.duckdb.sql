SELECT
  "t24"."_key" AS "org",
  "t24"."_period" AS "period_start",
  (
    (
      COALESCE("t24"."promoters", 0) - COALESCE("t24"."detractors", 0)
    ) * 100.0
  ) / NULLIF(COALESCE("t24"."nps_responses", 0), 0) AS "nps"
FROM (
  SELECT
    "t23"."_key",
    "t23"."_period",
    MAX("t23"."promoters") AS "promoters",
    MAX("t23"."detractors") AS "detractors",
    MAX("t23"."nps_responses") AS "nps_responses",
    MAX("t23"."working_days") AS "working_days"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t19"."_key",
        "t19"."_period",
        "t19"."promoters",
        "t19"."detractors",
        "t19"."nps_responses",
        CAST(NULL AS DOUBLE) AS "working_days"
      FROM (
        SELECT
          "t17"."_key",
          "t17"."_period",
          CAST(SUM("t17"."promoters") AS DOUBLE) AS "promoters",
          CAST(SUM("t17"."detractors") AS DOUBLE) AS "detractors",
          CAST(SUM("t17"."nps_responses") AS DOUBLE) AS "nps_responses"
        FROM (
          SELECT
            "t16"."rep_id",
            "t16"."_period",
            "t16"."promoters",
            "t16"."detractors",
            "t16"."nps_responses",
            'org' AS "_key"
          FROM (
            SELECT
              "t14"."rep_id",
              "t14"."_period",
              SUM(CAST((
                "t14"."scale" = 'nps10'
              ) AND (
                "t14"."score" >= 9
              ) AS INT)) AS "promoters",
              SUM(CAST((
                "t14"."scale" = 'nps10'
              ) AND (
                "t14"."score" <= 6
              ) AS INT)) AS "detractors",
              SUM(CAST("t14"."scale" = 'nps10' AS INT)) AS "nps_responses"
            FROM (
              SELECT
                "t11"."responded_at",
                "t11"."scale",
                "t11"."score",
                "t11"."rep_id",
                "t11"."_local",
                CAST(DATE_TRUNC('QUARTER', "t11"."_local") AS DATE) AS "_period"
              FROM (
                SELECT
                  "t0"."responded_at",
                  "t0"."scale",
                  "t0"."score",
                  "t0"."rep_id",
                  CASE
                    WHEN "t0"."responded_at" = (
                      DATE_TRUNC('DAY', "t0"."responded_at") + INTERVAL '43200314159' MICROSECOND
                    )
                    THEN DATE_TRUNC('DAY', "t0"."responded_at")
                    ELSE "t0"."responded_at" + TO_SECONDS(
                      CASE
                        WHEN "t0"."responded_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                        THEN 3600
                        ELSE 7200
                      END
                    )
                  END AS "_local"
                FROM "surveys" AS "t0"
                WHERE
                  "t0"."responded_at" IS NOT NULL
              ) AS "t11"
              WHERE
                "t11"."_local" >= MAKE_TIMESTAMP(2025, 1, 1, 0, 0, 0.0)
                AND "t11"."_local" < MAKE_TIMESTAMP(2025, 7, 1, 0, 0, 0.0)
            ) AS "t14"
            GROUP BY
              1,
              2
          ) AS "t16"
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
        "t20"."_key",
        "t20"."_period",
        CAST(NULL AS DOUBLE) AS "promoters",
        CAST(NULL AS DOUBLE) AS "detractors",
        CAST(NULL AS DOUBLE) AS "nps_responses",
        "t20"."working_days"
      FROM (
        SELECT
          "t18"."_key",
          "t18"."_period",
          CAST(COUNT(*) AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t15"."rep_id",
            "t15"."date",
            'org' AS "_key",
            CAST(DATE_TRUNC('QUARTER', CAST("t15"."date" AS TIMESTAMP)) AS DATE) AS "_period"
          FROM (
            SELECT
              "t13"."rep_id",
              "t13"."date"
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
            ) AS "t13"
            ANTI JOIN (
              SELECT
                *
              FROM "absences" AS "t1"
            ) AS "t7"
              ON "t13"."rep_id" = "t7"."rep_id" AND "t13"."date" = "t7"."date"
          ) AS "t15"
        ) AS "t18"
        GROUP BY
          1,
          2
      ) AS "t20"
    ) AS "t22"
  ) AS "t23"
  GROUP BY
    1,
    2
) AS "t24"
WHERE
  "t24"."_period" IN (MAKE_DATE(2025, 1, 1), MAKE_DATE(2025, 4, 1))
ORDER BY
  "t24"."_key" ASC,
  "t24"."_period" ASC
