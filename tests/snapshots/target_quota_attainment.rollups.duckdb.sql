WITH "t30" AS (
  SELECT
    "t27"."_node",
    "t27"."_rank",
    "t27"."metric",
    "t27"."period_start",
    "t27"."period_end",
    "t27"."value",
    "t27"."_p",
    "t27"."_last",
    CASE
      WHEN (
        "t27"."period_start" >= "t27"."_p"
      )
      AND (
        "t27"."period_end" <= "t27"."_last"
      )
      THEN 1
      ELSE 0
    END AS "_in",
    CASE
      WHEN (
        "t27"."period_start" = "t27"."_p"
      )
      AND (
        "t27"."period_end" = "t27"."_last"
      )
      THEN 1
      ELSE 0
    END AS "_own"
  FROM (
    SELECT
      "t23"."_node",
      "t23"."_rank",
      "t23"."metric",
      "t23"."period_start",
      "t23"."period_end",
      "t23"."value",
      "t18"."_p",
      "t18"."_last"
    FROM (
      SELECT
        *
      FROM (
        SELECT
          CASE
            WHEN "t6"."scope" = 'org'
            THEN 'orgorg'
            ELSE "t6"."scope" || '' || "t6"."scope_id"
          END AS "_node",
          0 AS "_rank",
          "t6"."metric",
          "t6"."period_start",
          "t6"."period_end",
          "t6"."value"
        FROM "targets" AS "t6"
        WHERE
          "t6"."metric" IN ('revenue_won')
      ) AS "t19"
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          'team' || "t6"."scope_id" AS "_node",
          1 AS "_rank",
          "t6"."metric",
          "t6"."period_start",
          "t6"."period_end",
          "t6"."value"
        FROM "targets" AS "t6"
        WHERE
          "t6"."metric" IN ('revenue_won')
          AND "t6"."scope" = 'org'
          AND "t6"."scope_id" IN ('')
      ) AS "t17"
    ) AS "t23"
    INNER JOIN (
      SELECT
        *
      FROM "memtable" AS "t7"
    ) AS "t18"
      ON "t23"."period_start" <= "t18"."_last" AND "t23"."period_end" >= "t18"."_p"
  ) AS "t27"
  WHERE
    (
      CASE
        WHEN (
          "t27"."period_start" = "t27"."_p"
        )
        AND (
          "t27"."period_end" = "t27"."_last"
        )
        THEN 1
        ELSE 0
      END = 1
    )
    OR "t27"."metric" IN ('revenue_won')
), "t46" AS (
  SELECT
    "t45"."_node",
    "t45"."_rank",
    "t45"."metric",
    "t45"."_p",
    SUM("t45"."_v") AS "_v",
    MAX(1 - "t45"."_in") AS "_spread",
    MAX(1 - "t45"."_own") AS "_summed"
  FROM (
    SELECT
      "t44"."_node",
      "t44"."_rank",
      "t44"."metric",
      "t44"."period_start",
      "t44"."period_end",
      "t44"."value",
      "t44"."_p",
      "t44"."_last",
      "t44"."_in",
      "t44"."_own",
      CASE
        WHEN "t44"."_in" = 1
        THEN "t44"."value"
        ELSE "t44"."value" * CASE
          WHEN (
            (
              CAST(FLOOR(
                (
                  GREATEST(DATE_DIFF('DAY', "t44"."period_start", "t44"."period_end") + 1, 0)
                ) / (
                  7
                )
              ) AS BIGINT) * 5
            ) + GREATEST(
              LEAST(
                (
                  (
                    DAYOFWEEK("t44"."period_start") + 6
                  ) % 7
                ) + (
                  GREATEST(DATE_DIFF('DAY', "t44"."period_start", "t44"."period_end") + 1, 0) % 7
                ),
                5
              ) - (
                (
                  DAYOFWEEK("t44"."period_start") + 6
                ) % 7
              ),
              0
            ) + GREATEST(
              (
                (
                  (
                    DAYOFWEEK("t44"."period_start") + 6
                  ) % 7
                ) + (
                  GREATEST(DATE_DIFF('DAY', "t44"."period_start", "t44"."period_end") + 1, 0) % 7
                )
              ) - 7,
              0
            )
          ) > 0
          THEN CAST((
            CAST(FLOOR(
              (
                GREATEST(
                  DATE_DIFF(
                    'DAY',
                    GREATEST("t44"."period_start", "t44"."_p"),
                    LEAST("t44"."period_end", "t44"."_last")
                  ) + 1,
                  0
                )
              ) / (
                7
              )
            ) AS BIGINT) * 5
          ) + GREATEST(
            LEAST(
              (
                (
                  DAYOFWEEK(GREATEST("t44"."period_start", "t44"."_p")) + 6
                ) % 7
              ) + (
                GREATEST(
                  DATE_DIFF(
                    'DAY',
                    GREATEST("t44"."period_start", "t44"."_p"),
                    LEAST("t44"."period_end", "t44"."_last")
                  ) + 1,
                  0
                ) % 7
              ),
              5
            ) - (
              (
                DAYOFWEEK(GREATEST("t44"."period_start", "t44"."_p")) + 6
              ) % 7
            ),
            0
          ) + GREATEST(
            (
              (
                (
                  DAYOFWEEK(GREATEST("t44"."period_start", "t44"."_p")) + 6
                ) % 7
              ) + (
                GREATEST(
                  DATE_DIFF(
                    'DAY',
                    GREATEST("t44"."period_start", "t44"."_p"),
                    LEAST("t44"."period_end", "t44"."_last")
                  ) + 1,
                  0
                ) % 7
              )
            ) - 7,
            0
          ) AS DOUBLE) / NULLIF(
            CAST((
              CAST(FLOOR(
                (
                  GREATEST(DATE_DIFF('DAY', "t44"."period_start", "t44"."period_end") + 1, 0)
                ) / (
                  7
                )
              ) AS BIGINT) * 5
            ) + GREATEST(
              LEAST(
                (
                  (
                    DAYOFWEEK("t44"."period_start") + 6
                  ) % 7
                ) + (
                  GREATEST(DATE_DIFF('DAY', "t44"."period_start", "t44"."period_end") + 1, 0) % 7
                ),
                5
              ) - (
                (
                  DAYOFWEEK("t44"."period_start") + 6
                ) % 7
              ),
              0
            ) + GREATEST(
              (
                (
                  (
                    DAYOFWEEK("t44"."period_start") + 6
                  ) % 7
                ) + (
                  GREATEST(DATE_DIFF('DAY', "t44"."period_start", "t44"."period_end") + 1, 0) % 7
                )
              ) - 7,
              0
            ) AS DOUBLE),
            0
          )
          ELSE CAST(DATE_DIFF(
            'DAY',
            GREATEST("t44"."period_start", "t44"."_p"),
            LEAST("t44"."period_end", "t44"."_last")
          ) + 1 AS DOUBLE) / CAST(DATE_DIFF('DAY', "t44"."period_start", "t44"."period_end") + 1 AS DOUBLE)
        END
      END AS "_v"
    FROM (
      SELECT
        "t33"."_node",
        "t33"."_rank",
        "t33"."metric",
        "t33"."period_start",
        "t33"."period_end",
        "t33"."value",
        "t33"."_p",
        "t33"."_last",
        "t33"."_in",
        "t33"."_own"
      FROM "t30" AS "t33"
      ANTI JOIN (
        SELECT DISTINCT
          *
        FROM (
          SELECT
            "t33"."_node",
            "t33"."_rank",
            "t33"."metric",
            "t33"."_p",
            "t33"."period_start",
            "t33"."period_end"
          FROM "t30" AS "t33"
          INNER JOIN "t30" AS "t34"
            ON "t33"."_node" = "t34"."_node"
            AND "t33"."_rank" = "t34"."_rank"
            AND "t33"."metric" = "t34"."metric"
            AND "t33"."_p" = "t34"."_p"
            AND (
              (
                (
                  "t34"."_own" = 1
                ) AND (
                  "t33"."_own" = 0
                )
              )
              OR (
                (
                  "t33"."_in" = 1
                )
                AND (
                  "t34"."_in" = 1
                )
                AND (
                  (
                    "t34"."period_start" <= "t33"."period_start"
                  )
                  AND (
                    "t33"."period_end" <= "t34"."period_end"
                  )
                  AND (
                    (
                      "t34"."period_start" <> "t33"."period_start"
                    )
                    OR (
                      "t34"."period_end" <> "t33"."period_end"
                    )
                  )
                )
              )
              OR (
                (
                  "t33"."_in" = 0
                )
                AND (
                  (
                    "t33"."period_start" <= "t34"."period_start"
                  )
                  AND (
                    "t34"."period_end" <= "t33"."period_end"
                  )
                  AND (
                    (
                      "t34"."period_start" <> "t33"."period_start"
                    )
                    OR (
                      "t34"."period_end" <> "t33"."period_end"
                    )
                  )
                )
              )
            )
        ) AS "t39"
      ) AS "t42"
        ON "t33"."_node" = "t42"."_node"
        AND "t33"."_rank" = "t42"."_rank"
        AND "t33"."metric" = "t42"."metric"
        AND "t33"."_p" = "t42"."_p"
        AND "t33"."period_start" = "t42"."period_start"
        AND "t33"."period_end" = "t42"."period_end"
    ) AS "t44"
  ) AS "t45"
  GROUP BY
    1,
    2,
    3,
    4
)
SELECT
  "t64"."_key" AS "rep_id",
  "t64"."_period" AS "period_start",
  "t64"."revenue_won" / NULLIF("t64"."revenue_won_target", 0) AS "quota_attainment"
FROM (
  SELECT
    "t43"."_key",
    "t43"."_period",
    "t43"."revenue_won",
    "t63"."_tk",
    "t63"."_p",
    "t63"."revenue_won_target",
    "t63"."revenue_won_target_basis"
  FROM (
    SELECT
      "t38"."_key",
      "t38"."_period",
      COALESCE("t38"."revenue_won", 0) AS "revenue_won"
    FROM (
      SELECT
        "t37"."_key",
        "t37"."_period",
        MAX("t37"."revenue_won") AS "revenue_won",
        MAX("t37"."working_days") AS "working_days"
      FROM (
        SELECT
          *
        FROM (
          SELECT
            "t24"."_key",
            "t24"."_period",
            "t24"."revenue_won",
            CAST(NULL AS DOUBLE) AS "working_days"
          FROM (
            SELECT
              "t20"."_key",
              "t20"."_period",
              SUM("t20"."amount") FILTER(WHERE
                "t20"."status" = 'won') AS "revenue_won"
            FROM (
              SELECT
                "t0"."rep_id",
                "t0"."day",
                "t0"."event",
                "t0"."fx_day",
                "t0"."status",
                "t0"."kind",
                "t0"."source",
                "t0"."currency",
                "t0"."_n",
                "t0"."amount",
                "t0"."_n_amount",
                CAST("t0"."day" AS TIMESTAMP) AS "_local",
                CAST(DATE_TRUNC('QUARTER', CAST("t0"."day" AS TIMESTAMP)) AS DATE) AS "_period",
                "t0"."rep_id" AS "_key"
              FROM "rollup_deals" AS "t0"
              WHERE
                "t0"."event" = 'closed'
                AND "t0"."day" >= MAKE_DATE(2025, 1, 1)
                AND "t0"."day" < MAKE_DATE(2025, 4, 1)
            ) AS "t20"
            GROUP BY
              1,
              2
          ) AS "t24"
        ) AS "t28"
        UNION ALL
        SELECT
          *
        FROM (
          SELECT
            "t35"."_key",
            "t35"."_period",
            CAST(NULL AS DOUBLE) AS "revenue_won",
            "t35"."working_days"
          FROM (
            SELECT
              "t32"."_key",
              "t32"."_period",
              CAST(COUNT(*) AS DOUBLE) AS "working_days"
            FROM (
              SELECT
                "t29"."rep_id",
                "t29"."date",
                "t29"."rep_id" AS "_key",
                CAST(DATE_TRUNC('QUARTER', CAST("t29"."date" AS TIMESTAMP)) AS DATE) AS "_period"
              FROM (
                SELECT
                  "t26"."rep_id",
                  "t26"."date"
                FROM (
                  SELECT
                    *
                  FROM (
                    SELECT
                      "t15"."rep_id",
                      "t15"."start_date",
                      "t15"."end_date",
                      "t16"."date"
                    FROM (
                      SELECT
                        "t4"."rep_id",
                        "t4"."start_date",
                        "t4"."end_date"
                      FROM "reps" AS "t4"
                    ) AS "t15"
                    CROSS JOIN (
                      SELECT
                        *
                      FROM "memtable" AS "t5"
                    ) AS "t16"
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
                ) AS "t26"
                ANTI JOIN (
                  SELECT
                    *
                  FROM "absences" AS "t1"
                ) AS "t14"
                  ON "t26"."rep_id" = "t14"."rep_id" AND "t26"."date" = "t14"."date"
              ) AS "t29"
            ) AS "t32"
            GROUP BY
              1,
              2
          ) AS "t35"
        ) AS "t36"
      ) AS "t37"
      GROUP BY
        1,
        2
    ) AS "t38"
    WHERE
      "t38"."_period" IN (MAKE_DATE(2025, 1, 1))
  ) AS "t43"
  LEFT OUTER JOIN (
    SELECT
      "t61"."_tk",
      "t61"."_p",
      SUM("t61"."_v") FILTER(WHERE
        "t61"."metric" = 'revenue_won') AS "revenue_won_target",
      MAX("t61"."_basis") FILTER(WHERE
        "t61"."metric" = 'revenue_won') AS "revenue_won_target_basis"
    FROM (
      SELECT
        "t60"."_tk",
        "t60"."metric",
        "t60"."_p",
        "t60"."_v",
        "t60"."_spread",
        "t60"."_summed",
        "t60"."_members",
        CASE
          WHEN (
            "t60"."_members" = 1
          ) AND (
            "t60"."_spread" = 1
          )
          THEN 'members_spread'
          WHEN (
            "t60"."_members" = 1
          ) AND (
            "t60"."_summed" = 1
          )
          THEN 'members_summed'
          WHEN "t60"."_members" = 1
          THEN 'members'
          WHEN "t60"."_spread" = 1
          THEN 'spread'
          WHEN "t60"."_summed" = 1
          THEN 'summed'
          ELSE CAST(NULL AS TEXT)
        END AS "_basis"
      FROM (
        SELECT
          "t59"."_tk",
          "t59"."metric",
          "t59"."_p",
          SUM("t59"."_v") AS "_v",
          MAX("t59"."_spread") AS "_spread",
          MAX("t59"."_summed") AS "_summed",
          MAX("t59"."_members") AS "_members"
        FROM (
          SELECT
            "t58"."_tk",
            "t58"."_anc",
            "t58"."_node",
            "t58"."metric",
            "t58"."_p",
            "t58"."_v",
            "t58"."_spread",
            "t58"."_summed",
            CASE WHEN "t58"."_node" <> "t58"."_anc" THEN 1 ELSE 0 END AS "_members"
          FROM (
            SELECT
              "t57"."_tk",
              "t57"."_anc",
              "t57"."_node",
              "t57"."metric",
              "t57"."_p",
              "t57"."_v",
              "t57"."_spread",
              "t57"."_summed"
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t8"."_tk",
                  "t8"."_anc",
                  "t8"."_node",
                  "t52"."metric",
                  "t52"."_p",
                  "t52"."_v",
                  "t52"."_spread",
                  "t52"."_summed"
                FROM "memtable" AS "t8"
                INNER JOIN (
                  SELECT
                    "t48"."_node",
                    "t48"."metric",
                    "t48"."_p",
                    "t48"."_v",
                    "t48"."_spread",
                    "t48"."_summed"
                  FROM "t46" AS "t48"
                  INNER JOIN (
                    SELECT
                      "t47"."_node",
                      "t47"."metric",
                      "t47"."_p",
                      MIN("t47"."_rank") AS "_best"
                    FROM "t46" AS "t47"
                    GROUP BY
                      1,
                      2,
                      3
                  ) AS "t50"
                    ON "t48"."_node" = "t50"."_node"
                    AND "t48"."metric" = "t50"."metric"
                    AND "t48"."_p" = "t50"."_p"
                    AND "t48"."_rank" = "t50"."_best"
                ) AS "t52"
                  ON "t8"."_node" = "t52"."_node"
              ) AS "t53"
              WHERE
                (
                  "t53"."_anc" = "t53"."_node"
                ) OR "t53"."metric" IN ('revenue_won')
            ) AS "t57"
            ANTI JOIN (
              SELECT
                "t9"."_anc",
                "t9"."_node",
                "t52"."metric",
                "t52"."_p"
              FROM "memtable" AS "t9"
              INNER JOIN (
                SELECT
                  "t48"."_node",
                  "t48"."metric",
                  "t48"."_p",
                  "t48"."_v",
                  "t48"."_spread",
                  "t48"."_summed"
                FROM "t46" AS "t48"
                INNER JOIN (
                  SELECT
                    "t47"."_node",
                    "t47"."metric",
                    "t47"."_p",
                    MIN("t47"."_rank") AS "_best"
                  FROM "t46" AS "t47"
                  GROUP BY
                    1,
                    2,
                    3
                ) AS "t50"
                  ON "t48"."_node" = "t50"."_node"
                  AND "t48"."metric" = "t50"."metric"
                  AND "t48"."_p" = "t50"."_p"
                  AND "t48"."_rank" = "t50"."_best"
              ) AS "t52"
                ON "t9"."_mid" = "t52"."_node"
            ) AS "t55"
              ON "t57"."_anc" = "t55"."_anc"
              AND "t57"."_node" = "t55"."_node"
              AND "t57"."metric" = "t55"."metric"
              AND "t57"."_p" = "t55"."_p"
          ) AS "t58"
        ) AS "t59"
        GROUP BY
          1,
          2,
          3
      ) AS "t60"
    ) AS "t61"
    GROUP BY
      1,
      2
  ) AS "t63"
    ON "t43"."_key" = "t63"."_tk" AND "t43"."_period" = "t63"."_p"
) AS "t64"
ORDER BY
  "t64"."_key" ASC,
  "t64"."_period" ASC
