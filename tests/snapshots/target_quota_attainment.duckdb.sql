SELECT
  "t33"."_key" AS "rep_id",
  "t33"."_period" AS "period_start",
  "t33"."revenue_won" / NULLIF("t33"."revenue_won_target", 0) AS "quota_attainment"
FROM (
  SELECT
    "t32"."_key",
    "t32"."_period",
    "t32"."revenue_won",
    "t23"."_tk",
    "t23"."_p",
    "t23"."revenue_won_target"
  FROM (
    SELECT
      "t30"."_key",
      "t30"."_period",
      COALESCE("t30"."revenue_won", 0) AS "revenue_won"
    FROM (
      SELECT
        "t29"."_key",
        "t29"."_period",
        MAX("t29"."revenue_won") AS "revenue_won",
        MAX("t29"."working_days") AS "working_days"
      FROM (
        SELECT
          *
        FROM (
          SELECT
            "t22"."_key",
            "t22"."_period",
            "t22"."revenue_won",
            CAST(NULL AS DOUBLE) AS "working_days"
          FROM (
            SELECT
              "t18"."_key",
              "t18"."_period",
              SUM("t18"."amount") FILTER(WHERE
                "t18"."status" = 'won') AS "revenue_won"
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
                ) < MAKE_TIMESTAMP(2025, 4, 1, 0, 0, 0.0)
            ) AS "t18"
            GROUP BY
              1,
              2
          ) AS "t22"
        ) AS "t24"
        UNION ALL
        SELECT
          *
        FROM (
          SELECT
            "t27"."_key",
            "t27"."_period",
            CAST(NULL AS DOUBLE) AS "revenue_won",
            "t27"."working_days"
          FROM (
            SELECT
              "t26"."_key",
              "t26"."_period",
              CAST(COUNT(*) AS DOUBLE) AS "working_days"
            FROM (
              SELECT
                "t25"."rep_id",
                "t25"."date",
                "t25"."rep_id" AS "_key",
                CAST(DATE_TRUNC('QUARTER', CAST("t25"."date" AS TIMESTAMP)) AS DATE) AS "_period"
              FROM (
                SELECT
                  "t20"."rep_id",
                  "t20"."date"
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
                        "t4"."rep_id",
                        "t4"."start_date",
                        "t4"."end_date"
                      FROM "reps" AS "t4"
                    ) AS "t13"
                    CROSS JOIN (
                      SELECT
                        *
                      FROM "memtable" AS "t5"
                    ) AS "t14"
                  ) AS "t16"
                  WHERE
                    (
                      (
                        "t16"."start_date" IS NULL
                      ) OR (
                        "t16"."date" >= "t16"."start_date"
                      )
                    )
                    AND (
                      (
                        "t16"."end_date" IS NULL
                      ) OR (
                        "t16"."date" <= "t16"."end_date"
                      )
                    )
                ) AS "t20"
                ANTI JOIN (
                  SELECT
                    *
                  FROM "absences" AS "t3"
                ) AS "t12"
                  ON "t20"."rep_id" = "t12"."rep_id" AND "t20"."date" = "t12"."date"
              ) AS "t25"
            ) AS "t26"
            GROUP BY
              1,
              2
          ) AS "t27"
        ) AS "t28"
      ) AS "t29"
      GROUP BY
        1,
        2
    ) AS "t30"
    WHERE
      "t30"."_period" IN (MAKE_DATE(2025, 1, 1))
  ) AS "t32"
  LEFT OUTER JOIN (
    SELECT
      "t17"."scope_id" AS "_tk",
      "t17"."_p",
      SUM("t17"."value") FILTER(WHERE
        "t17"."metric" = 'revenue_won') AS "revenue_won_target"
    FROM (
      SELECT
        "t15"."scope",
        "t15"."scope_id",
        "t15"."metric",
        "t15"."period_start",
        "t15"."period_end",
        "t15"."value",
        "t11"."_p",
        "t11"."_end"
      FROM (
        SELECT
          *
        FROM "targets" AS "t0"
        WHERE
          "t0"."scope" = 'rep' AND "t0"."metric" IN ('revenue_won')
      ) AS "t15"
      INNER JOIN (
        SELECT
          *
        FROM "memtable" AS "t2"
      ) AS "t11"
        ON "t15"."period_start" = "t11"."_p" AND "t15"."period_end" = "t11"."_end"
    ) AS "t17"
    GROUP BY
      1,
      2
  ) AS "t23"
    ON "t32"."_key" = "t23"."_tk" AND "t32"."_period" = "t23"."_p"
) AS "t33"
ORDER BY
  "t33"."_key" ASC,
  "t33"."_period" ASC
