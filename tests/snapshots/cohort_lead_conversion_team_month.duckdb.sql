SELECT
  "t36"."_key" AS "team_id",
  "t36"."_period" AS "period_start",
  CASE
    WHEN COALESCE(
      COALESCE(
        (
          SELECT
            CAST(SUM(CAST("t0"."deal_id" IS NOT NULL AS INT)) AS DOUBLE) AS "Cast(Sum(NotNull(deal_id)), float64)"
          FROM "leads" AS "t0"
        ),
        0
      ) = 0,
      FALSE
    )
    THEN CAST(NULL AS DOUBLE)
    ELSE (
      COALESCE("t36"."converted_leads", 0) * 1.0
    ) / NULLIF(COALESCE("t36"."cohort_leads", 0), 0)
  END AS "lead_conversion_rate"
FROM (
  SELECT
    "t35"."_key",
    "t35"."_period",
    MAX("t35"."converted_leads") AS "converted_leads",
    MAX("t35"."cohort_leads") AS "cohort_leads",
    MAX("t35"."working_days") AS "working_days"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t33"."_key",
        "t33"."_period",
        "t33"."converted_leads",
        "t33"."cohort_leads",
        CAST(NULL AS DOUBLE) AS "working_days"
      FROM (
        SELECT
          "t32"."_key",
          "t32"."_period",
          CAST(SUM("t32"."converted_leads") AS DOUBLE) AS "converted_leads",
          CAST(SUM("t32"."cohort_leads") AS DOUBLE) AS "cohort_leads"
        FROM (
          SELECT
            "t31"."rep_id",
            "t31"."_period",
            "t31"."converted_leads",
            "t31"."cohort_leads",
            "t31"."team_id",
            "t31"."team_id" AS "_key"
          FROM (
            SELECT
              "t30"."rep_id",
              "t30"."_period",
              "t30"."converted_leads",
              "t30"."cohort_leads",
              "t7"."team_id"
            FROM (
              SELECT
                "t27"."rep_id",
                "t27"."_period",
                SUM(CAST("t27"."_won_local" IS NOT NULL AS INT)) AS "converted_leads",
                COUNT(*) AS "cohort_leads"
              FROM (
                SELECT
                  "t24"."created_at",
                  "t24"."rep_id",
                  "t24"."won_at",
                  "t24"."_local",
                  "t24"."_won_local",
                  CAST(DATE_TRUNC('MONTH', "t24"."_local") AS DATE) AS "_period"
                FROM (
                  SELECT
                    "t21"."created_at",
                    "t21"."rep_id",
                    "t21"."won_at",
                    CASE
                      WHEN "t21"."created_at" = (
                        DATE_TRUNC('DAY', "t21"."created_at") + INTERVAL '43200314159' MICROSECOND
                      )
                      THEN DATE_TRUNC('DAY', "t21"."created_at")
                      ELSE "t21"."created_at" + TO_SECONDS(
                        CASE
                          WHEN "t21"."created_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                          THEN 3600
                          ELSE 7200
                        END
                      )
                    END AS "_local",
                    CASE
                      WHEN CASE
                        WHEN "t21"."won_at" = (
                          DATE_TRUNC('DAY', "t21"."won_at") + INTERVAL '43200314159' MICROSECOND
                        )
                        THEN DATE_TRUNC('DAY', "t21"."won_at")
                        ELSE "t21"."won_at" + TO_SECONDS(
                          CASE
                            WHEN "t21"."won_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                            THEN 3600
                            ELSE 7200
                          END
                        )
                      END < MAKE_TIMESTAMP(2025, 4, 1, 0, 0, 0.0)
                      THEN CASE
                        WHEN "t21"."won_at" = (
                          DATE_TRUNC('DAY', "t21"."won_at") + INTERVAL '43200314159' MICROSECOND
                        )
                        THEN DATE_TRUNC('DAY', "t21"."won_at")
                        ELSE "t21"."won_at" + TO_SECONDS(
                          CASE
                            WHEN "t21"."won_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                            THEN 3600
                            ELSE 7200
                          END
                        )
                      END
                      ELSE CAST(NULL AS TIMESTAMP(6))
                    END AS "_won_local"
                  FROM (
                    SELECT
                      "t19".*
                      EXCLUDE ("_did")
                    FROM (
                      SELECT
                        "t6"."lead_id",
                        "t6"."created_at",
                        "t6"."source",
                        "t6"."rep_id",
                        "t6"."account_id",
                        "t6"."qualified_at",
                        "t6"."deal_id",
                        "t16"."_did",
                        "t16"."won_at"
                      FROM "leads" AS "t6"
                      LEFT OUTER JOIN (
                        SELECT
                          "t5"."deal_id" AS "_did",
                          "t5"."closed_at" AS "won_at"
                        FROM "deals" AS "t5"
                        WHERE
                          "t5"."status" = 'won' AND "t5"."closed_at" IS NOT NULL
                      ) AS "t16"
                        ON "t6"."deal_id" = "t16"."_did"
                    ) AS "t19"
                  ) AS "t21"
                  WHERE
                    "t21"."created_at" IS NOT NULL
                ) AS "t24"
                WHERE
                  "t24"."_local" >= MAKE_TIMESTAMP(2025, 1, 1, 0, 0, 0.0)
                  AND "t24"."_local" < MAKE_TIMESTAMP(2025, 4, 1, 0, 0, 0.0)
              ) AS "t27"
              GROUP BY
                1,
                2
            ) AS "t30"
            INNER JOIN "memtable" AS "t7"
              ON "t30"."rep_id" = "t7"."rep_id"
          ) AS "t31"
        ) AS "t32"
        GROUP BY
          1,
          2
      ) AS "t33"
    ) AS "t34"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        "t26"."_key",
        "t26"."_period",
        CAST(NULL AS DOUBLE) AS "converted_leads",
        CAST(NULL AS DOUBLE) AS "cohort_leads",
        "t26"."working_days"
      FROM (
        SELECT
          "t25"."_key",
          "t25"."_period",
          CAST(COUNT(*) AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t23"."rep_id",
            "t23"."date",
            "t23"."team_id",
            "t23"."team_id" AS "_key",
            CAST(DATE_TRUNC('MONTH', CAST("t23"."date" AS TIMESTAMP)) AS DATE) AS "_period"
          FROM (
            SELECT
              "t22"."rep_id",
              "t22"."date",
              "t8"."team_id"
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
                    "t3"."rep_id",
                    "t3"."start_date",
                    "t3"."end_date"
                  FROM "reps" AS "t3"
                ) AS "t13"
                CROSS JOIN (
                  SELECT
                    *
                  FROM "memtable" AS "t4"
                ) AS "t14"
              ) AS "t18"
              WHERE
                (
                  (
                    "t18"."start_date" IS NULL
                  ) OR (
                    "t18"."date" >= "t18"."start_date"
                  )
                )
                AND (
                  (
                    "t18"."end_date" IS NULL
                  ) OR (
                    "t18"."date" <= "t18"."end_date"
                  )
                )
            ) AS "t22"
            ANTI JOIN (
              SELECT
                *
              FROM "absences" AS "t2"
            ) AS "t12"
              ON "t22"."rep_id" = "t12"."rep_id" AND "t22"."date" = "t12"."date"
            INNER JOIN "memtable" AS "t8"
              ON "t22"."rep_id" = "t8"."rep_id"
          ) AS "t23"
        ) AS "t25"
        GROUP BY
          1,
          2
      ) AS "t26"
    ) AS "t28"
  ) AS "t35"
  GROUP BY
    1,
    2
) AS "t36"
WHERE
  "t36"."_period" IN (MAKE_DATE(2025, 1, 1), MAKE_DATE(2025, 2, 1), MAKE_DATE(2025, 3, 1))
ORDER BY
  "t36"."_key" ASC,
  "t36"."_period" ASC
