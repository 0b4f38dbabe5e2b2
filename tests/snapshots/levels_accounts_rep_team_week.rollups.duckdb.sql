WITH "t36" AS (
  SELECT DISTINCT
    *
  FROM (
    SELECT
      "t22"."rep_id",
      "t22"."_period",
      "t22"."_v"
    FROM (
      SELECT
        "t4"."rep_id",
        CAST(DATE_TRUNC('WEEK', CAST("t4"."day" AS TIMESTAMP)) AS DATE) AS "_period",
        "t4"."account_id" AS "_v"
      FROM "rollup_accounts" AS "t4"
      WHERE
        "t4"."day" >= MAKE_DATE(2025, 1, 6)
        AND "t4"."day" < MAKE_DATE(2025, 2, 3)
        AND "t4"."account_id" IS NOT NULL
    ) AS "t22"
    SEMI JOIN (
      SELECT
        "t15"."_v"
      FROM (
        SELECT
          "t10"."_v",
          COUNT(*) AS "_reps"
        FROM (
          SELECT DISTINCT
            "t4"."rep_id",
            "t4"."account_id" AS "_v"
          FROM "rollup_accounts" AS "t4"
        ) AS "t10"
        GROUP BY
          1
      ) AS "t15"
      WHERE
        "t15"."_reps" > 1
    ) AS "t26"
      ON "t22"."_v" = "t26"."_v"
  ) AS "t33"
)
SELECT
  "t65"."_key",
  "t65"."_period" AS "period_start",
  COALESCE("t65"."activities", 0) AS "activities",
  COALESCE("t65"."accounts_touched", 0) AS "accounts_touched",
  COALESCE("t65"."active_days", 0) AS "active_days"
FROM (
  SELECT
    "t64"."_key",
    "t64"."_period",
    MAX("t64"."activities") AS "activities",
    MAX("t64"."accounts_touched") AS "accounts_touched",
    MAX("t64"."active_days") AS "active_days",
    MAX("t64"."working_days") AS "working_days"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t46"."_key",
          "t46"."_period",
          "t46"."activities",
          CAST(NULL AS DOUBLE) AS "accounts_touched",
          CAST(NULL AS DOUBLE) AS "active_days",
          CAST(NULL AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t38"."_key",
            "t38"."_period",
            CAST(SUM("t38"."activities") AS DOUBLE) AS "activities"
          FROM (
            SELECT
              "t34"."rep_id",
              "t34"."_period",
              "t34"."activities",
              "t34"."team_id",
              "t34"."team_id" AS "_key"
            FROM (
              SELECT
                "t27"."rep_id",
                "t27"."_period",
                "t27"."activities",
                "t6"."team_id"
              FROM (
                SELECT
                  "t17"."rep_id",
                  "t17"."_period",
                  SUM("t17"."_n") AS "activities"
                FROM (
                  SELECT
                    "t1"."rep_id",
                    "t1"."day",
                    "t1"."type",
                    "t1"."outcome",
                    "t1"."_n",
                    "t1"."duration_min",
                    "t1"."_n_duration",
                    CAST("t1"."day" AS TIMESTAMP) AS "_local",
                    CAST(DATE_TRUNC('WEEK', CAST("t1"."day" AS TIMESTAMP)) AS DATE) AS "_period"
                  FROM "rollup_activities" AS "t1"
                  WHERE
                    "t1"."day" >= MAKE_DATE(2025, 1, 6) AND "t1"."day" < MAKE_DATE(2025, 2, 3)
                ) AS "t17"
                GROUP BY
                  1,
                  2
              ) AS "t27"
              INNER JOIN "memtable" AS "t6"
                ON "t27"."rep_id" = "t6"."rep_id"
            ) AS "t34"
          ) AS "t38"
          GROUP BY
            1,
            2
        ) AS "t46"
      ) AS "t50"
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          "t61"."_key",
          "t61"."_period",
          CAST(NULL AS DOUBLE) AS "activities",
          "t61"."accounts_touched",
          CAST(NULL AS DOUBLE) AS "active_days",
          CAST(NULL AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t60"."_key",
            "t60"."_period",
            SUM("t60"."_n") AS "accounts_touched"
          FROM (
            SELECT
              *
            FROM (
              SELECT
                "t51"."_key",
                "t51"."_period",
                CAST(COUNT(DISTINCT "t51"."_v") AS DOUBLE) AS "_n"
              FROM (
                SELECT
                  "t49"."rep_id",
                  "t49"."_period",
                  "t49"."_v",
                  "t49"."team_id",
                  "t49"."team_id" AS "_key"
                FROM (
                  SELECT
                    "t42"."rep_id",
                    "t42"."_period",
                    "t42"."_v",
                    "t6"."team_id"
                  FROM "t36" AS "t42"
                  INNER JOIN "memtable" AS "t6"
                    ON "t42"."rep_id" = "t6"."rep_id"
                ) AS "t49"
              ) AS "t51"
              GROUP BY
                1,
                2
            ) AS "t57"
            UNION ALL
            SELECT
              *
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t39"."_key",
                  "t39"."_period",
                  CAST(SUM("t39"."accounts_touched") AS DOUBLE) AS "_n"
                FROM (
                  SELECT
                    "t35"."rep_id",
                    "t35"."_period",
                    "t35"."accounts_touched",
                    "t35"."team_id",
                    "t35"."team_id" AS "_key"
                  FROM (
                    SELECT
                      "t28"."rep_id",
                      "t28"."_period",
                      "t28"."accounts_touched",
                      "t6"."team_id"
                    FROM (
                      SELECT
                        "t18"."rep_id",
                        "t18"."_period",
                        COUNT(DISTINCT "t18"."account_id") AS "accounts_touched"
                      FROM (
                        SELECT
                          "t4"."rep_id",
                          "t4"."day",
                          "t4"."type",
                          "t4"."account_id",
                          "t4"."_n",
                          CAST("t4"."day" AS TIMESTAMP) AS "_local",
                          CAST(DATE_TRUNC('WEEK', CAST("t4"."day" AS TIMESTAMP)) AS DATE) AS "_period"
                        FROM "rollup_accounts" AS "t4"
                        WHERE
                          "t4"."day" >= MAKE_DATE(2025, 1, 6) AND "t4"."day" < MAKE_DATE(2025, 2, 3)
                      ) AS "t18"
                      GROUP BY
                        1,
                        2
                    ) AS "t28"
                    INNER JOIN "memtable" AS "t6"
                      ON "t28"."rep_id" = "t6"."rep_id"
                  ) AS "t35"
                ) AS "t39"
                GROUP BY
                  1,
                  2
              ) AS "t47"
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
                    "t52"."rep_id",
                    "t52"."_period",
                    "t52"."_s",
                    "t52"."team_id",
                    "t52"."team_id" AS "_key"
                  FROM (
                    SELECT
                      "t45"."rep_id",
                      "t45"."_period",
                      "t45"."_s",
                      "t6"."team_id"
                    FROM (
                      SELECT
                        "t40"."rep_id",
                        "t40"."_period",
                        COUNT(*) AS "_s"
                      FROM "t36" AS "t40"
                      GROUP BY
                        1,
                        2
                    ) AS "t45"
                    INNER JOIN "memtable" AS "t6"
                      ON "t45"."rep_id" = "t6"."rep_id"
                  ) AS "t52"
                ) AS "t54"
                GROUP BY
                  1,
                  2
              ) AS "t58"
            ) AS "t59"
          ) AS "t60"
          GROUP BY
            1,
            2
        ) AS "t61"
      ) AS "t62"
    ) AS "t63"
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
            "t32"."_key",
            "t32"."_period",
            CAST(COUNT(DISTINCT "t32"."_v") AS DOUBLE) AS "active_days"
          FROM (
            SELECT
              "t30"."rep_id",
              "t30"."_period",
              "t30"."_v",
              "t30"."team_id",
              "t30"."team_id" AS "_key"
            FROM (
              SELECT
                "t21"."rep_id",
                "t21"."_period",
                "t21"."_v",
                "t6"."team_id"
              FROM (
                SELECT DISTINCT
                  "t1"."rep_id",
                  CAST(DATE_TRUNC('WEEK', CAST("t1"."day" AS TIMESTAMP)) AS DATE) AS "_period",
                  CAST(CAST("t1"."day" AS TIMESTAMP) AS DATE) AS "_v"
                FROM "rollup_activities" AS "t1"
                WHERE
                  "t1"."day" >= MAKE_DATE(2025, 1, 6) AND "t1"."day" < MAKE_DATE(2025, 2, 3)
              ) AS "t21"
              INNER JOIN "memtable" AS "t6"
                ON "t21"."rep_id" = "t6"."rep_id"
            ) AS "t30"
          ) AS "t32"
          GROUP BY
            1,
            2
        ) AS "t41"
      ) AS "t44"
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          "t53"."_key",
          "t53"."_period",
          CAST(NULL AS DOUBLE) AS "activities",
          CAST(NULL AS DOUBLE) AS "accounts_touched",
          CAST(NULL AS DOUBLE) AS "active_days",
          "t53"."working_days"
        FROM (
          SELECT
            "t48"."_key",
            "t48"."_period",
            CAST(COUNT(*) AS DOUBLE) AS "working_days"
          FROM (
            SELECT
              "t37"."rep_id",
              "t37"."date",
              "t37"."team_id",
              "t37"."team_id" AS "_key",
              CAST(DATE_TRUNC('WEEK', CAST("t37"."date" AS TIMESTAMP)) AS DATE) AS "_period"
            FROM (
              SELECT
                "t31"."rep_id",
                "t31"."date",
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
                      "t3"."rep_id",
                      "t3"."start_date",
                      "t3"."end_date"
                    FROM "reps" AS "t3"
                  ) AS "t13"
                  CROSS JOIN (
                    SELECT
                      *
                    FROM "memtable" AS "t5"
                  ) AS "t14"
                ) AS "t20"
                WHERE
                  (
                    (
                      "t20"."start_date" IS NULL
                    ) OR (
                      "t20"."date" >= "t20"."start_date"
                    )
                  )
                  AND (
                    (
                      "t20"."end_date" IS NULL
                    ) OR (
                      "t20"."date" <= "t20"."end_date"
                    )
                  )
              ) AS "t31"
              ANTI JOIN (
                SELECT
                  *
                FROM "absences" AS "t2"
              ) AS "t12"
                ON "t31"."rep_id" = "t12"."rep_id" AND "t31"."date" = "t12"."date"
              INNER JOIN "memtable" AS "t7"
                ON "t31"."rep_id" = "t7"."rep_id"
            ) AS "t37"
          ) AS "t48"
          GROUP BY
            1,
            2
        ) AS "t53"
      ) AS "t55"
    ) AS "t56"
  ) AS "t64"
  GROUP BY
    1,
    2
) AS "t65"
WHERE
  "t65"."_period" IN (
    MAKE_DATE(2025, 1, 6),
    MAKE_DATE(2025, 1, 13),
    MAKE_DATE(2025, 1, 20),
    MAKE_DATE(2025, 1, 27)
  )
ORDER BY
  "t65"."_key" ASC,
  "t65"."_period" ASC
