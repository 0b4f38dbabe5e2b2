SELECT
  "t34"."_key" AS "rep_id",
  "t34"."_period" AS "period_start",
  "t34"."revenue_won" / NULLIF("t34"."revenue_won_target", 0) AS "quota_attainment"
FROM (
  SELECT
    "t33"."_key",
    "t33"."_period",
    "t33"."revenue_won",
    "t23"."_tk",
    "t23"."_p",
    "t23"."revenue_won_target"
  FROM (
    SELECT
      "t31"."_key",
      "t31"."_period",
      COALESCE("t31"."revenue_won", 0) AS "revenue_won"
    FROM (
      SELECT
        "t30"."_key",
        "t30"."_period",
        MAX("t30"."revenue_won") AS "revenue_won",
        MAX("t30"."working_days") AS "working_days"
      FROM (
        SELECT
          *
        FROM (
          SELECT
            "t25"."_key",
            "t25"."_period",
            "t25"."revenue_won",
            CAST(NULL AS DOUBLE) AS "working_days"
          FROM (
            SELECT
              "t21"."_key",
              "t21"."_period",
              SUM("t21"."amount") FILTER(WHERE
                "t21"."status" = 'won') AS "revenue_won"
            FROM (
              SELECT
                "t17"."deal_id",
                "t17"."rep_id",
                "t17"."created_at",
                "t17"."status",
                "t17"."amount",
                "t17"."currency",
                "t17"."closed_at",
                "t17"."account_id",
                "t17"."stage",
                "t17"."kind",
                "t17"."lost_reason",
                "t17"."source",
                "t17"."amount_given",
                "t17"."amount_created",
                "t17"."_local",
                "t17"."_created_local",
                CAST(DATE_TRUNC('QUARTER', "t17"."_local") AS DATE) AS "_period",
                "t17"."rep_id" AS "_key"
              FROM (
                SELECT
                  "t2"."deal_id",
                  "t2"."rep_id",
                  "t2"."created_at",
                  "t2"."status",
                  "t2"."amount",
                  "t2"."currency",
                  "t2"."closed_at",
                  "t2"."account_id",
                  "t2"."stage",
                  "t2"."kind",
                  "t2"."lost_reason",
                  "t2"."source",
                  "t2"."amount" AS "amount_given",
                  "t2"."amount" AS "amount_created",
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
                        WHEN "t2"."created_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                        THEN 3600
                        ELSE 7200
                      END
                    )
                  END AS "_created_local"
                FROM "deals" AS "t2"
                WHERE
                  "t2"."status" IN ('won', 'lost') AND "t2"."closed_at" IS NOT NULL
              ) AS "t17"
              WHERE
                "t17"."_local" >= MAKE_TIMESTAMP(2025, 1, 1, 0, 0, 0.0)
                AND "t17"."_local" < MAKE_TIMESTAMP(2025, 4, 1, 0, 0, 0.0)
            ) AS "t21"
            GROUP BY
              1,
              2
          ) AS "t25"
        ) AS "t26"
        UNION ALL
        SELECT
          *
        FROM (
          SELECT
            "t28"."_key",
            "t28"."_period",
            CAST(NULL AS DOUBLE) AS "revenue_won",
            "t28"."working_days"
          FROM (
            SELECT
              "t27"."_key",
              "t27"."_period",
              CAST(COUNT(*) AS DOUBLE) AS "working_days"
            FROM (
              SELECT
                "t24"."rep_id",
                "t24"."date",
                "t24"."rep_id" AS "_key",
                CAST(DATE_TRUNC('QUARTER', CAST("t24"."date" AS TIMESTAMP)) AS DATE) AS "_period"
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
              ) AS "t24"
            ) AS "t27"
            GROUP BY
              1,
              2
          ) AS "t28"
        ) AS "t29"
      ) AS "t30"
      GROUP BY
        1,
        2
    ) AS "t31"
    WHERE
      "t31"."_period" IN (MAKE_DATE(2025, 1, 1))
  ) AS "t33"
  LEFT OUTER JOIN (
    SELECT
      "t18"."scope_id" AS "_tk",
      "t18"."_p",
      SUM("t18"."value") FILTER(WHERE
        "t18"."metric" = 'revenue_won') AS "revenue_won_target"
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
        FROM "memtable" AS "t1"
      ) AS "t11"
        ON "t15"."period_start" = "t11"."_p" AND "t15"."period_end" = "t11"."_end"
    ) AS "t18"
    GROUP BY
      1,
      2
  ) AS "t23"
    ON "t33"."_key" = "t23"."_tk" AND "t33"."_period" = "t23"."_p"
) AS "t34"
ORDER BY
  "t34"."_key" ASC,
  "t34"."_period" ASC
