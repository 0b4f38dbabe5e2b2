SELECT
  "t45"."_key" AS "org",
  "t45"."_period" AS "period_start",
  (
    COALESCE("t45"."customers_end", 0) - COALESCE("t45"."customers_acquired", 0)
  ) / NULLIF(COALESCE("t45"."customers_start", 0), 0) AS "retention_rate"
FROM (
  SELECT
    "t44"."_key",
    "t44"."_period",
    MAX("t44"."customers_end") AS "customers_end",
    MAX("t44"."customers_acquired") AS "customers_acquired",
    MAX("t44"."customers_start") AS "customers_start",
    MAX("t44"."working_days") AS "working_days"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t28"."_key",
        "t28"."_period",
        CAST(NULL AS DOUBLE) AS "customers_end",
        CAST(NULL AS DOUBLE) AS "customers_acquired",
        CAST(NULL AS DOUBLE) AS "customers_start",
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
            'org' AS "_key",
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
                  "t11"."rep_id",
                  "t11"."start_date",
                  "t11"."end_date",
                  "t13"."date"
                FROM (
                  SELECT
                    "t1"."rep_id",
                    "t1"."start_date",
                    "t1"."end_date"
                  FROM "reps" AS "t1"
                ) AS "t11"
                CROSS JOIN (
                  SELECT
                    *
                  FROM "memtable" AS "t3"
                ) AS "t13"
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
            ) AS "t20"
            ANTI JOIN (
              SELECT
                *
              FROM "absences" AS "t0"
            ) AS "t10"
              ON "t20"."rep_id" = "t10"."rep_id" AND "t20"."date" = "t10"."date"
          ) AS "t24"
        ) AS "t27"
        GROUP BY
          1,
          2
      ) AS "t28"
    ) AS "t29"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t41"."_key",
          "t41"."_period",
          "t41"."customers_end",
          CAST(NULL AS DOUBLE) AS "customers_acquired",
          "t41"."customers_start",
          CAST(NULL AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t39"."_key",
            "t39"."_period",
            CAST(SUM("t39"."customers_end") AS DOUBLE) AS "customers_end",
            CAST(SUM("t39"."customers_start") AS DOUBLE) AS "customers_start"
          FROM (
            SELECT
              "t37"."rep_id",
              "t37"."_period",
              "t37"."customers_end",
              "t37"."customers_start",
              'org' AS "_key"
            FROM (
              SELECT
                "t35"."rep_id",
                "t35"."_period",
                SUM(CAST((
                  "t35"."_until" IS NULL
                ) OR (
                  "t35"."_until" >= "t35"."_to"
                ) AS INT)) AS "customers_end",
                SUM(CAST("t35"."_local" < "t35"."_from" AS INT)) AS "customers_start"
              FROM (
                SELECT
                  "t32"."rep_id",
                  "t32"."closed_at",
                  "t32"."churned_at",
                  "t32"."_local",
                  "t32"."_until",
                  "t16"."_period",
                  "t16"."_from",
                  "t16"."_to"
                FROM (
                  SELECT
                    "t26"."rep_id",
                    "t26"."closed_at",
                    "t26"."churned_at",
                    CASE
                      WHEN "t26"."closed_at" = (
                        DATE_TRUNC('DAY', "t26"."closed_at") + INTERVAL '43200314159' MICROSECOND
                      )
                      THEN DATE_TRUNC('DAY', "t26"."closed_at")
                      ELSE "t26"."closed_at" + TO_SECONDS(
                        CASE
                          WHEN "t26"."closed_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                          THEN 3600
                          ELSE 7200
                        END
                      )
                    END AS "_local",
                    CASE
                      WHEN "t26"."churned_at" = (
                        DATE_TRUNC('DAY', "t26"."churned_at") + INTERVAL '43200314159' MICROSECOND
                      )
                      THEN DATE_TRUNC('DAY', "t26"."churned_at")
                      ELSE "t26"."churned_at" + TO_SECONDS(
                        CASE
                          WHEN "t26"."churned_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                          THEN 3600
                          ELSE 7200
                        END
                      )
                    END AS "_until"
                  FROM (
                    SELECT
                      "t25".*
                      EXCLUDE ("_aid")
                    FROM (
                      SELECT
                        "t23"."deal_id",
                        "t23"."rep_id",
                        "t23"."created_at",
                        "t23"."status",
                        "t23"."amount",
                        "t23"."currency",
                        "t23"."closed_at",
                        "t23"."account_id",
                        "t23"."stage",
                        "t23"."kind",
                        "t23"."lost_reason",
                        "t23"."source",
                        "t14"."_aid",
                        "t14"."churned_at"
                      FROM (
                        SELECT
                          "t21".*
                          EXCLUDE ("_rank")
                        FROM (
                          SELECT
                            *
                          FROM (
                            SELECT
                              "t15"."deal_id",
                              "t15"."rep_id",
                              "t15"."created_at",
                              "t15"."status",
                              "t15"."amount",
                              "t15"."currency",
                              "t15"."closed_at",
                              "t15"."account_id",
                              "t15"."stage",
                              "t15"."kind",
                              "t15"."lost_reason",
                              "t15"."source",
                              ROW_NUMBER() OVER (
                                PARTITION BY "t15"."account_id"
                                ORDER BY "t15"."closed_at" ASC, "t15"."deal_id" ASC
                                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                              ) - 1 AS "_rank"
                            FROM (
                              SELECT
                                *
                              FROM "deals" AS "t5"
                              WHERE
                                "t5"."status" = 'won'
                                AND "t5"."closed_at" IS NOT NULL
                                AND "t5"."account_id" IS NOT NULL
                            ) AS "t15"
                          ) AS "t18"
                          WHERE
                            "t18"."_rank" = 0
                        ) AS "t21"
                      ) AS "t23"
                      LEFT OUTER JOIN (
                        SELECT
                          "t4"."account_id" AS "_aid",
                          "t4"."churned_at"
                        FROM "accounts" AS "t4"
                      ) AS "t14"
                        ON "t23"."account_id" = "t14"."_aid"
                    ) AS "t25"
                  ) AS "t26"
                  WHERE
                    "t26"."closed_at" IS NOT NULL
                ) AS "t32"
                INNER JOIN (
                  SELECT
                    CAST("t2"."_period" AS DATE) AS "_period",
                    "t2"."_from",
                    "t2"."_to"
                  FROM "memtable" AS "t2"
                ) AS "t16"
                  ON "t32"."_local" < "t16"."_to"
                  AND (
                    (
                      "t32"."_until" IS NULL
                    ) OR (
                      "t32"."_until" >= "t16"."_from"
                    )
                  )
              ) AS "t35"
              GROUP BY
                1,
                2
            ) AS "t37"
          ) AS "t39"
          GROUP BY
            1,
            2
        ) AS "t41"
      ) AS "t42"
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          "t38"."_key",
          "t38"."_period",
          CAST(NULL AS DOUBLE) AS "customers_end",
          "t38"."customers_acquired",
          CAST(NULL AS DOUBLE) AS "customers_start",
          CAST(NULL AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t36"."_key",
            "t36"."_period",
            CAST(SUM("t36"."customers_acquired") AS DOUBLE) AS "customers_acquired"
          FROM (
            SELECT
              "t34"."rep_id",
              "t34"."_period",
              "t34"."customers_acquired",
              'org' AS "_key"
            FROM (
              SELECT
                "t33"."rep_id",
                "t33"."_period",
                COUNT(*) AS "customers_acquired"
              FROM (
                SELECT
                  "t30"."rep_id",
                  "t30"."closed_at",
                  "t30"."_local",
                  CAST(DATE_TRUNC('QUARTER', "t30"."_local") AS DATE) AS "_period"
                FROM (
                  SELECT
                    "t26"."rep_id",
                    "t26"."closed_at",
                    CASE
                      WHEN "t26"."closed_at" = (
                        DATE_TRUNC('DAY', "t26"."closed_at") + INTERVAL '43200314159' MICROSECOND
                      )
                      THEN DATE_TRUNC('DAY', "t26"."closed_at")
                      ELSE "t26"."closed_at" + TO_SECONDS(
                        CASE
                          WHEN "t26"."closed_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                          THEN 3600
                          ELSE 7200
                        END
                      )
                    END AS "_local"
                  FROM (
                    SELECT
                      "t25".*
                      EXCLUDE ("_aid")
                    FROM (
                      SELECT
                        "t23"."deal_id",
                        "t23"."rep_id",
                        "t23"."created_at",
                        "t23"."status",
                        "t23"."amount",
                        "t23"."currency",
                        "t23"."closed_at",
                        "t23"."account_id",
                        "t23"."stage",
                        "t23"."kind",
                        "t23"."lost_reason",
                        "t23"."source",
                        "t14"."_aid",
                        "t14"."churned_at"
                      FROM (
                        SELECT
                          "t21".*
                          EXCLUDE ("_rank")
                        FROM (
                          SELECT
                            *
                          FROM (
                            SELECT
                              "t15"."deal_id",
                              "t15"."rep_id",
                              "t15"."created_at",
                              "t15"."status",
                              "t15"."amount",
                              "t15"."currency",
                              "t15"."closed_at",
                              "t15"."account_id",
                              "t15"."stage",
                              "t15"."kind",
                              "t15"."lost_reason",
                              "t15"."source",
                              ROW_NUMBER() OVER (
                                PARTITION BY "t15"."account_id"
                                ORDER BY "t15"."closed_at" ASC, "t15"."deal_id" ASC
                                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                              ) - 1 AS "_rank"
                            FROM (
                              SELECT
                                *
                              FROM "deals" AS "t5"
                              WHERE
                                "t5"."status" = 'won'
                                AND "t5"."closed_at" IS NOT NULL
                                AND "t5"."account_id" IS NOT NULL
                            ) AS "t15"
                          ) AS "t18"
                          WHERE
                            "t18"."_rank" = 0
                        ) AS "t21"
                      ) AS "t23"
                      LEFT OUTER JOIN (
                        SELECT
                          "t4"."account_id" AS "_aid",
                          "t4"."churned_at"
                        FROM "accounts" AS "t4"
                      ) AS "t14"
                        ON "t23"."account_id" = "t14"."_aid"
                    ) AS "t25"
                  ) AS "t26"
                  WHERE
                    "t26"."closed_at" IS NOT NULL
                ) AS "t30"
                WHERE
                  "t30"."_local" >= MAKE_TIMESTAMP(2025, 1, 1, 0, 0, 0.0)
                  AND "t30"."_local" < MAKE_TIMESTAMP(2025, 7, 1, 0, 0, 0.0)
              ) AS "t33"
              GROUP BY
                1,
                2
            ) AS "t34"
          ) AS "t36"
          GROUP BY
            1,
            2
        ) AS "t38"
      ) AS "t40"
    ) AS "t43"
  ) AS "t44"
  GROUP BY
    1,
    2
) AS "t45"
WHERE
  "t45"."_period" IN (MAKE_DATE(2025, 1, 1), MAKE_DATE(2025, 4, 1))
ORDER BY
  "t45"."_key" ASC,
  "t45"."_period" ASC
