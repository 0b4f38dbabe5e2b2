WITH "t34" AS (
  SELECT DISTINCT
    *
  FROM (
    SELECT
      "t27"."rep_id",
      "t27"."_period",
      "t27"."_v"
    FROM (
      SELECT
        "t18"."rep_id",
        CAST(DATE_TRUNC('WEEK', "t18"."_local") AS DATE) AS "_period",
        "t18"."account_id" AS "_v"
      FROM (
        SELECT
          "t1"."rep_id",
          "t1"."occurred_at",
          "t1"."account_id",
          CASE
            WHEN "t1"."occurred_at" = (
              DATE_TRUNC('DAY', "t1"."occurred_at") + INTERVAL '43200314159' MICROSECOND
            )
            THEN DATE_TRUNC('DAY', "t1"."occurred_at")
            ELSE "t1"."occurred_at" + INTERVAL '3600' SECOND
          END AS "_local"
        FROM "activities" AS "t1"
        WHERE
          "t1"."occurred_at" IS NOT NULL
      ) AS "t18"
      WHERE
        "t18"."_local" >= MAKE_TIMESTAMP(2025, 1, 6, 0, 0, 0.0)
        AND "t18"."_local" < MAKE_TIMESTAMP(2025, 2, 3, 0, 0, 0.0)
        AND "t18"."account_id" IS NOT NULL
    ) AS "t27"
    SEMI JOIN (
      SELECT
        "t14"."_v"
      FROM (
        SELECT
          "t7"."_v",
          COUNT(*) AS "_reps"
        FROM (
          SELECT DISTINCT
            "t1"."rep_id",
            "t1"."account_id" AS "_v"
          FROM "activities" AS "t1"
        ) AS "t7"
        GROUP BY
          1
      ) AS "t14"
      WHERE
        "t14"."_reps" > 1
    ) AS "t20"
      ON "t27"."_v" = "t20"."_v"
  ) AS "t32"
), "t39" AS (
  SELECT
    "t35"."rep_id",
    "t35"."_period",
    "t35"."activities",
    "t35"."accounts_touched",
    "t35"."team_id",
    "t35"."team_id" AS "_key"
  FROM (
    SELECT
      "t29"."rep_id",
      "t29"."_period",
      "t29"."activities",
      "t29"."accounts_touched",
      "t5"."team_id"
    FROM (
      SELECT
        "t23"."rep_id",
        "t23"."_period",
        SUM("t23"."_n") AS "activities",
        COUNT(DISTINCT "t23"."account_id") AS "accounts_touched"
      FROM (
        SELECT
          "t17"."rep_id",
          "t17"."occurred_at",
          "t17"."account_id",
          "t17"."_n",
          "t17"."_local",
          CAST(DATE_TRUNC('WEEK', "t17"."_local") AS DATE) AS "_period"
        FROM (
          SELECT
            "t1"."rep_id",
            "t1"."occurred_at",
            "t1"."account_id",
            1 AS "_n",
            CASE
              WHEN "t1"."occurred_at" = (
                DATE_TRUNC('DAY', "t1"."occurred_at") + INTERVAL '43200314159' MICROSECOND
              )
              THEN DATE_TRUNC('DAY', "t1"."occurred_at")
              ELSE "t1"."occurred_at" + INTERVAL '3600' SECOND
            END AS "_local"
          FROM "activities" AS "t1"
          WHERE
            "t1"."occurred_at" IS NOT NULL
        ) AS "t17"
        WHERE
          "t17"."_local" >= MAKE_TIMESTAMP(2025, 1, 6, 0, 0, 0.0)
          AND "t17"."_local" < MAKE_TIMESTAMP(2025, 2, 3, 0, 0, 0.0)
      ) AS "t23"
      GROUP BY
        1,
        2
    ) AS "t29"
    INNER JOIN "memtable" AS "t5"
      ON "t29"."rep_id" = "t5"."rep_id"
  ) AS "t35"
)
SELECT
  "t63"."_key",
  "t63"."_period" AS "period_start",
  COALESCE("t63"."activities", 0) AS "activities",
  COALESCE("t63"."accounts_touched", 0) AS "accounts_touched",
  COALESCE("t63"."active_days", 0) AS "active_days"
FROM (
  SELECT
    "t62"."_key",
    "t62"."_period",
    MAX("t62"."activities") AS "activities",
    MAX("t62"."accounts_touched") AS "accounts_touched",
    MAX("t62"."active_days") AS "active_days",
    MAX("t62"."working_days") AS "working_days"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t48"."_key",
          "t48"."_period",
          "t48"."activities",
          CAST(NULL AS DOUBLE) AS "accounts_touched",
          CAST(NULL AS DOUBLE) AS "active_days",
          CAST(NULL AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t42"."_key",
            "t42"."_period",
            CAST(SUM("t42"."activities") AS DOUBLE) AS "activities"
          FROM "t39" AS "t42"
          GROUP BY
            1,
            2
        ) AS "t48"
      ) AS "t53"
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          "t59"."_key",
          "t59"."_period",
          CAST(NULL AS DOUBLE) AS "activities",
          "t59"."accounts_touched",
          CAST(NULL AS DOUBLE) AS "active_days",
          CAST(NULL AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t58"."_key",
            "t58"."_period",
            SUM("t58"."_n") AS "accounts_touched"
          FROM (
            SELECT
              *
            FROM (
              SELECT
                "t50"."_key",
                "t50"."_period",
                CAST(COUNT(DISTINCT "t50"."_v") AS DOUBLE) AS "_n"
              FROM (
                SELECT
                  "t46"."rep_id",
                  "t46"."_period",
                  "t46"."_v",
                  "t46"."team_id",
                  "t46"."team_id" AS "_key"
                FROM (
                  SELECT
                    "t37"."rep_id",
                    "t37"."_period",
                    "t37"."_v",
                    "t5"."team_id"
                  FROM "t34" AS "t37"
                  INNER JOIN "memtable" AS "t5"
                    ON "t37"."rep_id" = "t5"."rep_id"
                ) AS "t46"
              ) AS "t50"
              GROUP BY
                1,
                2
            ) AS "t55"
            UNION ALL
            SELECT
              *
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t42"."_key",
                  "t42"."_period",
                  CAST(SUM("t42"."accounts_touched") AS DOUBLE) AS "_n"
                FROM "t39" AS "t42"
                GROUP BY
                  1,
                  2
              ) AS "t49"
              UNION ALL
              SELECT
                *
              FROM (
                SELECT
                  "t54"."_key",
                  "t54"."_period",
                  CAST(-(
                    SUM("t54"."_s")
                  ) AS DOUBLE) AS "_n"
                FROM (
                  SELECT
                    "t51"."rep_id",
                    "t51"."_period",
                    "t51"."_s",
                    "t51"."team_id",
                    "t51"."team_id" AS "_key"
                  FROM (
                    SELECT
                      "t43"."rep_id",
                      "t43"."_period",
                      "t43"."_s",
                      "t5"."team_id"
                    FROM (
                      SELECT
                        "t36"."rep_id",
                        "t36"."_period",
                        COUNT(*) AS "_s"
                      FROM "t34" AS "t36"
                      GROUP BY
                        1,
                        2
                    ) AS "t43"
                    INNER JOIN "memtable" AS "t5"
                      ON "t43"."rep_id" = "t5"."rep_id"
                  ) AS "t51"
                ) AS "t54"
                GROUP BY
                  1,
                  2
              ) AS "t56"
            ) AS "t57"
          ) AS "t58"
          GROUP BY
            1,
            2
        ) AS "t59"
      ) AS "t60"
    ) AS "t61"
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
          CAST(NULL AS DOUBLE) AS "activities",
          CAST(NULL AS DOUBLE) AS "accounts_touched",
          "t41"."active_days",
          CAST(NULL AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t33"."_key",
            "t33"."_period",
            CAST(COUNT(DISTINCT "t33"."_v") AS DOUBLE) AS "active_days"
          FROM (
            SELECT
              "t31"."rep_id",
              "t31"."_period",
              "t31"."_v",
              "t31"."team_id",
              "t31"."team_id" AS "_key"
            FROM (
              SELECT
                "t26"."rep_id",
                "t26"."_period",
                "t26"."_v",
                "t5"."team_id"
              FROM (
                SELECT DISTINCT
                  "t16"."rep_id",
                  CAST(DATE_TRUNC('WEEK', "t16"."_local") AS DATE) AS "_period",
                  CAST("t16"."_local" AS DATE) AS "_v"
                FROM (
                  SELECT
                    "t1"."rep_id",
                    "t1"."occurred_at",
                    CASE
                      WHEN "t1"."occurred_at" = (
                        DATE_TRUNC('DAY', "t1"."occurred_at") + INTERVAL '43200314159' MICROSECOND
                      )
                      THEN DATE_TRUNC('DAY', "t1"."occurred_at")
                      ELSE "t1"."occurred_at" + INTERVAL '3600' SECOND
                    END AS "_local"
                  FROM "activities" AS "t1"
                  WHERE
                    "t1"."occurred_at" IS NOT NULL
                ) AS "t16"
                WHERE
                  "t16"."_local" >= MAKE_TIMESTAMP(2025, 1, 6, 0, 0, 0.0)
                  AND "t16"."_local" < MAKE_TIMESTAMP(2025, 2, 3, 0, 0, 0.0)
              ) AS "t26"
              INNER JOIN "memtable" AS "t5"
                ON "t26"."rep_id" = "t5"."rep_id"
            ) AS "t31"
          ) AS "t33"
          GROUP BY
            1,
            2
        ) AS "t41"
      ) AS "t45"
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          "t44"."_key",
          "t44"."_period",
          CAST(NULL AS DOUBLE) AS "activities",
          CAST(NULL AS DOUBLE) AS "accounts_touched",
          CAST(NULL AS DOUBLE) AS "active_days",
          "t44"."working_days"
        FROM (
          SELECT
            "t38"."_key",
            "t38"."_period",
            CAST(COUNT(*) AS DOUBLE) AS "working_days"
          FROM (
            SELECT
              "t30"."rep_id",
              "t30"."date",
              "t30"."team_id",
              "t30"."team_id" AS "_key",
              CAST(DATE_TRUNC('WEEK', CAST("t30"."date" AS TIMESTAMP)) AS DATE) AS "_period"
            FROM (
              SELECT
                "t25"."rep_id",
                "t25"."date",
                "t6"."team_id"
              FROM (
                SELECT
                  *
                FROM (
                  SELECT
                    "t12"."rep_id",
                    "t12"."start_date",
                    "t12"."end_date",
                    "t13"."date"
                  FROM (
                    SELECT
                      "t3"."rep_id",
                      "t3"."start_date",
                      "t3"."end_date"
                    FROM "reps" AS "t3"
                  ) AS "t12"
                  CROSS JOIN (
                    SELECT
                      *
                    FROM "memtable" AS "t4"
                  ) AS "t13"
                ) AS "t15"
                WHERE
                  (
                    (
                      "t15"."start_date" IS NULL
                    ) OR (
                      "t15"."date" >= "t15"."start_date"
                    )
                  )
                  AND (
                    (
                      "t15"."end_date" IS NULL
                    ) OR (
                      "t15"."date" <= "t15"."end_date"
                    )
                  )
              ) AS "t25"
              ANTI JOIN (
                SELECT
                  *
                FROM "absences" AS "t2"
              ) AS "t11"
                ON "t25"."rep_id" = "t11"."rep_id" AND "t25"."date" = "t11"."date"
              INNER JOIN "memtable" AS "t6"
                ON "t25"."rep_id" = "t6"."rep_id"
            ) AS "t30"
          ) AS "t38"
          GROUP BY
            1,
            2
        ) AS "t44"
      ) AS "t47"
    ) AS "t52"
  ) AS "t62"
  GROUP BY
    1,
    2
) AS "t63"
WHERE
  "t63"."_period" IN (
    MAKE_DATE(2025, 1, 6),
    MAKE_DATE(2025, 1, 13),
    MAKE_DATE(2025, 1, 20),
    MAKE_DATE(2025, 1, 27)
  )
ORDER BY
  "t63"."_key" ASC,
  "t63"."_period" ASC
