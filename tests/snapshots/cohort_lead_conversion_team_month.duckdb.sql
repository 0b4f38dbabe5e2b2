SELECT
  "t35"."_key" AS "team_id",
  "t35"."_period" AS "period_start",
  (
    COALESCE("t35"."converted_leads", 0) * 1.0
  ) / NULLIF(COALESCE("t35"."cohort_leads", 0), 0) AS "lead_conversion_rate"
FROM (
  SELECT
    "t34"."_key",
    "t34"."_period",
    MAX("t34"."converted_leads") AS "converted_leads",
    MAX("t34"."cohort_leads") AS "cohort_leads",
    MAX("t34"."working_days") AS "working_days"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t32"."_key",
        "t32"."_period",
        "t32"."converted_leads",
        "t32"."cohort_leads",
        CAST(NULL AS DOUBLE) AS "working_days"
      FROM (
        SELECT
          "t31"."_key",
          "t31"."_period",
          CAST(SUM("t31"."converted_leads") AS DOUBLE) AS "converted_leads",
          CAST(SUM("t31"."cohort_leads") AS DOUBLE) AS "cohort_leads"
        FROM (
          SELECT
            "t30"."rep_id",
            "t30"."_period",
            "t30"."converted_leads",
            "t30"."cohort_leads",
            "t30"."team_id",
            "t30"."team_id" AS "_key"
          FROM (
            SELECT
              "t29"."rep_id",
              "t29"."_period",
              "t29"."converted_leads",
              "t29"."cohort_leads",
              "t6"."team_id"
            FROM (
              SELECT
                "t26"."rep_id",
                "t26"."_period",
                SUM(CAST("t26"."_won_local" IS NOT NULL AS INT)) AS "converted_leads",
                COUNT(*) AS "cohort_leads"
              FROM (
                SELECT
                  "t23"."created_at",
                  "t23"."rep_id",
                  "t23"."won_at",
                  "t23"."_local",
                  "t23"."_won_local",
                  CAST(DATE_TRUNC('MONTH', "t23"."_local") AS DATE) AS "_period"
                FROM (
                  SELECT
                    "t20"."created_at",
                    "t20"."rep_id",
                    "t20"."won_at",
                    CASE
                      WHEN "t20"."created_at" = (
                        DATE_TRUNC('DAY', "t20"."created_at") + INTERVAL '43200314159' MICROSECOND
                      )
                      THEN DATE_TRUNC('DAY', "t20"."created_at")
                      ELSE "t20"."created_at" + TO_SECONDS(
                        CASE
                          WHEN "t20"."created_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                          THEN 3600
                          ELSE 7200
                        END
                      )
                    END AS "_local",
                    CASE
                      WHEN CASE
                        WHEN "t20"."won_at" = (
                          DATE_TRUNC('DAY', "t20"."won_at") + INTERVAL '43200314159' MICROSECOND
                        )
                        THEN DATE_TRUNC('DAY', "t20"."won_at")
                        ELSE "t20"."won_at" + TO_SECONDS(
                          CASE
                            WHEN "t20"."won_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                            THEN 3600
                            ELSE 7200
                          END
                        )
                      END < MAKE_TIMESTAMP(2025, 4, 1, 0, 0, 0.0)
                      THEN CASE
                        WHEN "t20"."won_at" = (
                          DATE_TRUNC('DAY', "t20"."won_at") + INTERVAL '43200314159' MICROSECOND
                        )
                        THEN DATE_TRUNC('DAY', "t20"."won_at")
                        ELSE "t20"."won_at" + TO_SECONDS(
                          CASE
                            WHEN "t20"."won_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                            THEN 3600
                            ELSE 7200
                          END
                        )
                      END
                      ELSE CAST(NULL AS TIMESTAMP(6))
                    END AS "_won_local"
                  FROM (
                    SELECT
                      "t18".*
                      EXCLUDE ("_did")
                    FROM (
                      SELECT
                        "t8"."lead_id",
                        "t8"."created_at",
                        "t8"."source",
                        "t8"."rep_id",
                        "t8"."account_id",
                        "t8"."qualified_at",
                        "t8"."deal_id",
                        "t16"."_did",
                        "t16"."won_at"
                      FROM "leads" AS "t8"
                      LEFT OUTER JOIN (
                        SELECT
                          "t5"."deal_id" AS "_did",
                          "t5"."closed_at" AS "won_at"
                        FROM "deals" AS "t5"
                        WHERE
                          "t5"."status" = 'won' AND "t5"."closed_at" IS NOT NULL
                      ) AS "t16"
                        ON "t8"."deal_id" = "t16"."_did"
                    ) AS "t18"
                  ) AS "t20"
                  WHERE
                    "t20"."created_at" IS NOT NULL
                ) AS "t23"
                WHERE
                  "t23"."_local" >= MAKE_TIMESTAMP(2025, 1, 1, 0, 0, 0.0)
                  AND "t23"."_local" < MAKE_TIMESTAMP(2025, 4, 1, 0, 0, 0.0)
              ) AS "t26"
              GROUP BY
                1,
                2
            ) AS "t29"
            INNER JOIN "memtable" AS "t6"
              ON "t29"."rep_id" = "t6"."rep_id"
          ) AS "t30"
        ) AS "t31"
        GROUP BY
          1,
          2
      ) AS "t32"
    ) AS "t33"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        "t25"."_key",
        "t25"."_period",
        CAST(NULL AS DOUBLE) AS "converted_leads",
        CAST(NULL AS DOUBLE) AS "cohort_leads",
        "t25"."working_days"
      FROM (
        SELECT
          "t24"."_key",
          "t24"."_period",
          CAST(COUNT(*) AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t22"."rep_id",
            "t22"."date",
            "t22"."team_id",
            "t22"."team_id" AS "_key",
            CAST(DATE_TRUNC('MONTH', CAST("t22"."date" AS TIMESTAMP)) AS DATE) AS "_period"
          FROM (
            SELECT
              "t21"."rep_id",
              "t21"."date",
              "t7"."team_id"
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t13"."rep_id",
                  "t13"."start_date",
                  "t13"."end_date",
                  "t14"."date"
                FROM (
                  SELECT
                    "t2"."rep_id",
                    "t2"."start_date",
                    "t2"."end_date"
                  FROM "reps" AS "t2"
                ) AS "t13"
                CROSS JOIN (
                  SELECT
                    *
                  FROM "memtable" AS "t3"
                ) AS "t14"
              ) AS "t17"
              WHERE
                (
                  (
                    "t17"."start_date" IS NULL
                  ) OR (
                    "t17"."date" >= "t17"."start_date"
                  )
                )
                AND (
                  (
                    "t17"."end_date" IS NULL
                  ) OR (
                    "t17"."date" <= "t17"."end_date"
                  )
                )
            ) AS "t21"
            ANTI JOIN (
              SELECT
                *
              FROM "absences" AS "t1"
            ) AS "t12"
              ON "t21"."rep_id" = "t12"."rep_id" AND "t21"."date" = "t12"."date"
            INNER JOIN "memtable" AS "t7"
              ON "t21"."rep_id" = "t7"."rep_id"
          ) AS "t22"
        ) AS "t24"
        GROUP BY
          1,
          2
      ) AS "t25"
    ) AS "t27"
  ) AS "t34"
  GROUP BY
    1,
    2
) AS "t35"
WHERE
  "t35"."_period" IN (MAKE_DATE(2025, 1, 1), MAKE_DATE(2025, 2, 1), MAKE_DATE(2025, 3, 1))
ORDER BY
  "t35"."_key" ASC,
  "t35"."_period" ASC
