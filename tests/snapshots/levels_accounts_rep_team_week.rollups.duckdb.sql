WITH "t38" AS (
  SELECT DISTINCT
    *
  FROM (
    SELECT
      "t23"."rep_id",
      "t23"."_period",
      "t23"."_v"
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
    ) AS "t23"
    SEMI JOIN (
      SELECT
        "t16"."_v"
      FROM (
        SELECT
          "t12"."_v",
          COUNT(*) AS "_reps"
        FROM (
          SELECT DISTINCT
            "t6"."rep_id",
            "t6"."account_id" AS "_v"
          FROM "rollup_account_reps" AS "t6"
        ) AS "t12"
        GROUP BY
          1
      ) AS "t16"
      WHERE
        "t16"."_reps" > 1
    ) AS "t27"
      ON "t23"."_v" = "t27"."_v"
  ) AS "t34"
)
SELECT
  "t66"."_key",
  "t66"."_period" AS "period_start",
  COALESCE("t66"."activities", 0) AS "activities",
  COALESCE("t66"."accounts_touched", 0) AS "accounts_touched",
  COALESCE("t66"."active_days", 0) AS "active_days"
FROM (
  SELECT
    "t65"."_key",
    "t65"."_period",
    MAX("t65"."activities") AS "activities",
    MAX("t65"."accounts_touched") AS "accounts_touched",
    MAX("t65"."active_days") AS "active_days",
    MAX("t65"."working_days") AS "working_days"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t47"."_key",
          "t47"."_period",
          "t47"."activities",
          CAST(NULL AS DOUBLE) AS "accounts_touched",
          CAST(NULL AS DOUBLE) AS "active_days",
          CAST(NULL AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t39"."_key",
            "t39"."_period",
            CAST(SUM("t39"."activities") AS DOUBLE) AS "activities"
          FROM (
            SELECT
              "t35"."rep_id",
              "t35"."_period",
              "t35"."activities",
              "t35"."team_id",
              "t35"."team_id" AS "_key"
            FROM (
              SELECT
                "t28"."rep_id",
                "t28"."_period",
                "t28"."activities",
                "t7"."team_id"
              FROM (
                SELECT
                  "t18"."rep_id",
                  "t18"."_period",
                  SUM("t18"."_n") AS "activities"
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
                ) AS "t18"
                GROUP BY
                  1,
                  2
              ) AS "t28"
              INNER JOIN "memtable" AS "t7"
                ON "t28"."rep_id" = "t7"."rep_id"
            ) AS "t35"
          ) AS "t39"
          GROUP BY
            1,
            2
        ) AS "t47"
      ) AS "t51"
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          "t62"."_key",
          "t62"."_period",
          CAST(NULL AS DOUBLE) AS "activities",
          "t62"."accounts_touched",
          CAST(NULL AS DOUBLE) AS "active_days",
          CAST(NULL AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t61"."_key",
            "t61"."_period",
            SUM("t61"."_n") AS "accounts_touched"
          FROM (
            SELECT
              *
            FROM (
              SELECT
                "t53"."_key",
                "t53"."_period",
                CAST(COUNT(DISTINCT "t53"."_v") AS DOUBLE) AS "_n"
              FROM (
                SELECT
                  "t50"."rep_id",
                  "t50"."_period",
                  "t50"."_v",
                  "t50"."team_id",
                  "t50"."team_id" AS "_key"
                FROM (
                  SELECT
                    "t43"."rep_id",
                    "t43"."_period",
                    "t43"."_v",
                    "t7"."team_id"
                  FROM "t38" AS "t43"
                  INNER JOIN "memtable" AS "t7"
                    ON "t43"."rep_id" = "t7"."rep_id"
                ) AS "t50"
              ) AS "t53"
              GROUP BY
                1,
                2
            ) AS "t58"
            UNION ALL
            SELECT
              *
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t40"."_key",
                  "t40"."_period",
                  CAST(SUM("t40"."accounts_touched") AS DOUBLE) AS "_n"
                FROM (
                  SELECT
                    "t36"."rep_id",
                    "t36"."_period",
                    "t36"."accounts_touched",
                    "t36"."team_id",
                    "t36"."team_id" AS "_key"
                  FROM (
                    SELECT
                      "t29"."rep_id",
                      "t29"."_period",
                      "t29"."accounts_touched",
                      "t7"."team_id"
                    FROM (
                      SELECT
                        "t19"."rep_id",
                        "t19"."_period",
                        COUNT(DISTINCT "t19"."account_id") AS "accounts_touched"
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
                      ) AS "t19"
                      GROUP BY
                        1,
                        2
                    ) AS "t29"
                    INNER JOIN "memtable" AS "t7"
                      ON "t29"."rep_id" = "t7"."rep_id"
                  ) AS "t36"
                ) AS "t40"
                GROUP BY
                  1,
                  2
              ) AS "t48"
              UNION ALL
              SELECT
                *
              FROM (
                SELECT
                  "t56"."_key",
                  "t56"."_period",
                  CAST(-(
                    SUM("t56"."_s")
                  ) AS DOUBLE) AS "_n"
                FROM (
                  SELECT
                    "t54"."rep_id",
                    "t54"."_period",
                    "t54"."_s",
                    "t54"."team_id",
                    "t54"."team_id" AS "_key"
                  FROM (
                    SELECT
                      "t46"."rep_id",
                      "t46"."_period",
                      "t46"."_s",
                      "t7"."team_id"
                    FROM (
                      SELECT
                        "t41"."rep_id",
                        "t41"."_period",
                        COUNT(*) AS "_s"
                      FROM "t38" AS "t41"
                      GROUP BY
                        1,
                        2
                    ) AS "t46"
                    INNER JOIN "memtable" AS "t7"
                      ON "t46"."rep_id" = "t7"."rep_id"
                  ) AS "t54"
                ) AS "t56"
                GROUP BY
                  1,
                  2
              ) AS "t59"
            ) AS "t60"
          ) AS "t61"
          GROUP BY
            1,
            2
        ) AS "t62"
      ) AS "t63"
    ) AS "t64"
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
          CAST(NULL AS DOUBLE) AS "activities",
          CAST(NULL AS DOUBLE) AS "accounts_touched",
          "t42"."active_days",
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
                "t22"."rep_id",
                "t22"."_period",
                "t22"."_v",
                "t7"."team_id"
              FROM (
                SELECT DISTINCT
                  "t1"."rep_id",
                  CAST(DATE_TRUNC('WEEK', CAST("t1"."day" AS TIMESTAMP)) AS DATE) AS "_period",
                  CAST(CAST("t1"."day" AS TIMESTAMP) AS DATE) AS "_v"
                FROM "rollup_activities" AS "t1"
                WHERE
                  "t1"."day" >= MAKE_DATE(2025, 1, 6) AND "t1"."day" < MAKE_DATE(2025, 2, 3)
              ) AS "t22"
              INNER JOIN "memtable" AS "t7"
                ON "t22"."rep_id" = "t7"."rep_id"
            ) AS "t31"
          ) AS "t33"
          GROUP BY
            1,
            2
        ) AS "t42"
      ) AS "t45"
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          "t52"."_key",
          "t52"."_period",
          CAST(NULL AS DOUBLE) AS "activities",
          CAST(NULL AS DOUBLE) AS "accounts_touched",
          CAST(NULL AS DOUBLE) AS "active_days",
          "t52"."working_days"
        FROM (
          SELECT
            "t49"."_key",
            "t49"."_period",
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
                "t32"."rep_id",
                "t32"."date",
                "t8"."team_id"
              FROM (
                SELECT
                  *
                FROM (
                  SELECT
                    "t14"."rep_id",
                    "t14"."start_date",
                    "t14"."end_date",
                    "t15"."date"
                  FROM (
                    SELECT
                      "t3"."rep_id",
                      "t3"."start_date",
                      "t3"."end_date"
                    FROM "reps" AS "t3"
                  ) AS "t14"
                  CROSS JOIN (
                    SELECT
                      *
                    FROM "memtable" AS "t5"
                  ) AS "t15"
                ) AS "t21"
                WHERE
                  (
                    (
                      "t21"."start_date" IS NULL
                    ) OR (
                      "t21"."date" >= "t21"."start_date"
                    )
                  )
                  AND (
                    (
                      "t21"."end_date" IS NULL
                    ) OR (
                      "t21"."date" <= "t21"."end_date"
                    )
                  )
              ) AS "t32"
              ANTI JOIN (
                SELECT
                  *
                FROM "absences" AS "t2"
              ) AS "t13"
                ON "t32"."rep_id" = "t13"."rep_id" AND "t32"."date" = "t13"."date"
              INNER JOIN "memtable" AS "t8"
                ON "t32"."rep_id" = "t8"."rep_id"
            ) AS "t37"
          ) AS "t49"
          GROUP BY
            1,
            2
        ) AS "t52"
      ) AS "t55"
    ) AS "t57"
  ) AS "t65"
  GROUP BY
    1,
    2
) AS "t66"
WHERE
  "t66"."_period" IN (
    MAKE_DATE(2025, 1, 6),
    MAKE_DATE(2025, 1, 13),
    MAKE_DATE(2025, 1, 20),
    MAKE_DATE(2025, 1, 27)
  )
ORDER BY
  "t66"."_key" ASC,
  "t66"."_period" ASC
