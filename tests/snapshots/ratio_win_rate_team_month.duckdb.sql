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
        "t24"."_key",
        "t24"."_period",
        "t24"."deals_won",
        "t24"."deals_lost",
        CAST(NULL AS DOUBLE) AS "working_days"
      FROM (
        SELECT
          "t21"."_key",
          "t21"."_period",
          CAST(SUM(CAST("t21"."status" = 'won' AS INT)) AS DOUBLE) AS "deals_won",
          CAST(SUM(CAST("t21"."status" = 'lost' AS INT)) AS DOUBLE) AS "deals_lost"
        FROM (
          SELECT
            "t19"."deal_id",
            "t19"."rep_id",
            "t19"."created_at",
            "t19"."status",
            "t19"."amount",
            "t19"."closed_at",
            "t19"."account_id",
            "t19"."stage",
            "t19"."kind",
            "t19"."lost_reason",
            "t19"."source",
            "t19"."_local",
            "t19"."_created_local",
            "t19"."team_id",
            "t19"."team_id" AS "_key",
            CAST(DATE_TRUNC('MONTH', "t19"."_local") AS DATE) AS "_period"
          FROM (
            SELECT
              "t17"."deal_id",
              "t17"."rep_id",
              "t17"."created_at",
              "t17"."status",
              "t17"."amount",
              "t17"."closed_at",
              "t17"."account_id",
              "t17"."stage",
              "t17"."kind",
              "t17"."lost_reason",
              "t17"."source",
              "t17"."_local",
              "t17"."_created_local",
              "t5"."team_id"
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t1"."deal_id",
                  "t1"."rep_id",
                  "t1"."created_at",
                  "t1"."status",
                  "t1"."amount",
                  "t1"."closed_at",
                  "t1"."account_id",
                  "t1"."stage",
                  "t1"."kind",
                  "t1"."lost_reason",
                  "t1"."source",
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
                  ) AS "_created_local"
                FROM "deals" AS "t1"
                WHERE
                  "t1"."status" IN ('won', 'lost') AND "t1"."closed_at" IS NOT NULL
              ) AS "t14"
              WHERE
                "t14"."_local" >= MAKE_TIMESTAMP(2025, 1, 1, 0, 0, 0.0)
                AND "t14"."_local" < MAKE_TIMESTAMP(2025, 4, 1, 0, 0, 0.0)
            ) AS "t17"
            INNER JOIN "memtable" AS "t5"
              ON "t17"."rep_id" = "t5"."rep_id"
          ) AS "t19"
        ) AS "t21"
        GROUP BY
          1,
          2
      ) AS "t24"
    ) AS "t26"
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
          "t22"."_key",
          "t22"."_period",
          CAST(COUNT(*) AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t20"."rep_id",
            "t20"."date",
            "t20"."team_id",
            "t20"."team_id" AS "_key",
            CAST(DATE_TRUNC('MONTH', CAST("t20"."date" AS TIMESTAMP)) AS DATE) AS "_period"
          FROM (
            SELECT
              "t18"."rep_id",
              "t18"."date",
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
            ) AS "t18"
            ANTI JOIN (
              SELECT
                *
              FROM "absences" AS "t2"
            ) AS "t10"
              ON "t18"."rep_id" = "t10"."rep_id" AND "t18"."date" = "t10"."date"
            INNER JOIN "memtable" AS "t6"
              ON "t18"."rep_id" = "t6"."rep_id"
          ) AS "t20"
        ) AS "t22"
        GROUP BY
          1,
          2
      ) AS "t23"
    ) AS "t25"
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
