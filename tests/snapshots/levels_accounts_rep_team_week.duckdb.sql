WITH "t31" AS (
  SELECT DISTINCT
    *
  FROM (
    SELECT
      "t20"."rep_id",
      "t20"."_period",
      "t20"."_v"
    FROM (
      SELECT
        "t0"."rep_id",
        CAST(DATE_TRUNC('WEEK', "t0"."occurred_at" + INTERVAL '3600' SECOND) AS DATE) AS "_period",
        "t0"."account_id" AS "_v"
      FROM "activities" AS "t0"
      WHERE
        "t0"."occurred_at" IS NOT NULL
        AND (
          "t0"."occurred_at" + INTERVAL '3600' SECOND
        ) >= MAKE_TIMESTAMP(2025, 1, 6, 0, 0, 0.0)
        AND (
          "t0"."occurred_at" + INTERVAL '3600' SECOND
        ) < MAKE_TIMESTAMP(2025, 2, 3, 0, 0, 0.0)
        AND "t0"."account_id" IS NOT NULL
    ) AS "t20"
    SEMI JOIN (
      SELECT
        "t14"."_v"
      FROM (
        SELECT
          "t7"."_v",
          COUNT(*) AS "_reps"
        FROM (
          SELECT DISTINCT
            "t0"."rep_id",
            "t0"."account_id" AS "_v"
          FROM "activities" AS "t0"
        ) AS "t7"
        GROUP BY
          1
      ) AS "t14"
      WHERE
        "t14"."_reps" > 1
    ) AS "t23"
      ON "t20"."_v" = "t23"."_v"
  ) AS "t29"
), "t33" AS (
  SELECT
    "t30"."rep_id",
    "t30"."_period",
    "t30"."activities",
    "t30"."accounts_touched",
    "t30"."team_id",
    "t30"."team_id" AS "_key"
  FROM (
    SELECT
      "t24"."rep_id",
      "t24"."_period",
      "t24"."activities",
      "t24"."accounts_touched",
      "t5"."team_id"
    FROM (
      SELECT
        "t16"."rep_id",
        "t16"."_period",
        COUNT(*) AS "activities",
        COUNT(DISTINCT "t16"."account_id") AS "accounts_touched"
      FROM (
        SELECT
          "t0"."rep_id",
          "t0"."occurred_at",
          "t0"."account_id",
          "t0"."occurred_at" + INTERVAL '3600' SECOND AS "_local",
          CAST(DATE_TRUNC('WEEK', "t0"."occurred_at" + INTERVAL '3600' SECOND) AS DATE) AS "_period"
        FROM "activities" AS "t0"
        WHERE
          "t0"."occurred_at" IS NOT NULL
          AND (
            "t0"."occurred_at" + INTERVAL '3600' SECOND
          ) >= MAKE_TIMESTAMP(2025, 1, 6, 0, 0, 0.0)
          AND (
            "t0"."occurred_at" + INTERVAL '3600' SECOND
          ) < MAKE_TIMESTAMP(2025, 2, 3, 0, 0, 0.0)
      ) AS "t16"
      GROUP BY
        1,
        2
    ) AS "t24"
    INNER JOIN "memtable" AS "t5"
      ON "t24"."rep_id" = "t5"."rep_id"
  ) AS "t30"
)
SELECT
  "t60"."_key",
  "t60"."_period" AS "period_start",
  COALESCE("t60"."activities", 0) AS "activities",
  COALESCE("t60"."accounts_touched", 0) AS "accounts_touched",
  COALESCE("t60"."active_days", 0) AS "active_days"
FROM (
  SELECT
    "t59"."_key",
    "t59"."_period",
    MAX("t59"."activities") AS "activities",
    MAX("t59"."accounts_touched") AS "accounts_touched",
    MAX("t59"."active_days") AS "active_days",
    MAX("t59"."working_days") AS "working_days"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t42"."_key",
          "t42"."_period",
          "t42"."activities",
          CAST(NULL AS DOUBLE) AS "accounts_touched",
          CAST(NULL AS DOUBLE) AS "active_days",
          CAST(NULL AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t36"."_key",
            "t36"."_period",
            CAST(SUM("t36"."activities") AS DOUBLE) AS "activities"
          FROM "t33" AS "t36"
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
          "t56"."_key",
          "t56"."_period",
          CAST(NULL AS DOUBLE) AS "activities",
          "t56"."accounts_touched",
          CAST(NULL AS DOUBLE) AS "active_days",
          CAST(NULL AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t55"."_key",
            "t55"."_period",
            SUM("t55"."_n") AS "accounts_touched"
          FROM (
            SELECT
              *
            FROM (
              SELECT
                "t46"."_key",
                "t46"."_period",
                CAST(COUNT(DISTINCT "t46"."_v") AS DOUBLE) AS "_n"
              FROM (
                SELECT
                  "t44"."rep_id",
                  "t44"."_period",
                  "t44"."_v",
                  "t44"."team_id",
                  "t44"."team_id" AS "_key"
                FROM (
                  SELECT
                    "t37"."rep_id",
                    "t37"."_period",
                    "t37"."_v",
                    "t5"."team_id"
                  FROM "t31" AS "t37"
                  INNER JOIN "memtable" AS "t5"
                    ON "t37"."rep_id" = "t5"."rep_id"
                ) AS "t44"
              ) AS "t46"
              GROUP BY
                1,
                2
            ) AS "t52"
            UNION ALL
            SELECT
              *
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t36"."_key",
                  "t36"."_period",
                  CAST(SUM("t36"."accounts_touched") AS DOUBLE) AS "_n"
                FROM "t33" AS "t36"
                GROUP BY
                  1,
                  2
              ) AS "t43"
              UNION ALL
              SELECT
                *
              FROM (
                SELECT
                  "t49"."_key",
                  "t49"."_period",
                  CAST(-(
                    SUM("t49"."_s")
                  ) AS DOUBLE) AS "_n"
                FROM (
                  SELECT
                    "t47"."rep_id",
                    "t47"."_period",
                    "t47"."_s",
                    "t47"."team_id",
                    "t47"."team_id" AS "_key"
                  FROM (
                    SELECT
                      "t40"."rep_id",
                      "t40"."_period",
                      "t40"."_s",
                      "t5"."team_id"
                    FROM (
                      SELECT
                        "t34"."rep_id",
                        "t34"."_period",
                        COUNT(*) AS "_s"
                      FROM "t31" AS "t34"
                      GROUP BY
                        1,
                        2
                    ) AS "t40"
                    INNER JOIN "memtable" AS "t5"
                      ON "t40"."rep_id" = "t5"."rep_id"
                  ) AS "t47"
                ) AS "t49"
                GROUP BY
                  1,
                  2
              ) AS "t53"
            ) AS "t54"
          ) AS "t55"
          GROUP BY
            1,
            2
        ) AS "t56"
      ) AS "t57"
    ) AS "t58"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t35"."_key",
          "t35"."_period",
          CAST(NULL AS DOUBLE) AS "activities",
          CAST(NULL AS DOUBLE) AS "accounts_touched",
          "t35"."active_days",
          CAST(NULL AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t28"."_key",
            "t28"."_period",
            CAST(COUNT(DISTINCT "t28"."_v") AS DOUBLE) AS "active_days"
          FROM (
            SELECT
              "t26"."rep_id",
              "t26"."_period",
              "t26"."_v",
              "t26"."team_id",
              "t26"."team_id" AS "_key"
            FROM (
              SELECT
                "t19"."rep_id",
                "t19"."_period",
                "t19"."_v",
                "t5"."team_id"
              FROM (
                SELECT DISTINCT
                  "t0"."rep_id",
                  CAST(DATE_TRUNC('WEEK', "t0"."occurred_at" + INTERVAL '3600' SECOND) AS DATE) AS "_period",
                  CAST("t0"."occurred_at" + INTERVAL '3600' SECOND AS DATE) AS "_v"
                FROM "activities" AS "t0"
                WHERE
                  "t0"."occurred_at" IS NOT NULL
                  AND (
                    "t0"."occurred_at" + INTERVAL '3600' SECOND
                  ) >= MAKE_TIMESTAMP(2025, 1, 6, 0, 0, 0.0)
                  AND (
                    "t0"."occurred_at" + INTERVAL '3600' SECOND
                  ) < MAKE_TIMESTAMP(2025, 2, 3, 0, 0, 0.0)
              ) AS "t19"
              INNER JOIN "memtable" AS "t5"
                ON "t19"."rep_id" = "t5"."rep_id"
            ) AS "t26"
          ) AS "t28"
          GROUP BY
            1,
            2
        ) AS "t35"
      ) AS "t39"
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          "t48"."_key",
          "t48"."_period",
          CAST(NULL AS DOUBLE) AS "activities",
          CAST(NULL AS DOUBLE) AS "accounts_touched",
          CAST(NULL AS DOUBLE) AS "active_days",
          "t48"."working_days"
        FROM (
          SELECT
            "t41"."_key",
            "t41"."_period",
            CAST(COUNT(*) AS DOUBLE) AS "working_days"
          FROM (
            SELECT
              "t32"."rep_id",
              "t32"."date",
              "t32"."team_id",
              "t32"."team_id" AS "_key",
              CAST(DATE_TRUNC('WEEK', CAST("t32"."date" AS TIMESTAMP)) AS DATE) AS "_period"
            FROM (
              SELECT
                "t27"."rep_id",
                "t27"."date",
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
              ) AS "t27"
              ANTI JOIN (
                SELECT
                  *
                FROM "absences" AS "t2"
              ) AS "t11"
                ON "t27"."rep_id" = "t11"."rep_id" AND "t27"."date" = "t11"."date"
              INNER JOIN "memtable" AS "t6"
                ON "t27"."rep_id" = "t6"."rep_id"
            ) AS "t32"
          ) AS "t41"
          GROUP BY
            1,
            2
        ) AS "t48"
      ) AS "t50"
    ) AS "t51"
  ) AS "t59"
  GROUP BY
    1,
    2
) AS "t60"
WHERE
  "t60"."_period" IN (
    MAKE_DATE(2025, 1, 6),
    MAKE_DATE(2025, 1, 13),
    MAKE_DATE(2025, 1, 20),
    MAKE_DATE(2025, 1, 27)
  )
ORDER BY
  "t60"."_key" ASC,
  "t60"."_period" ASC
