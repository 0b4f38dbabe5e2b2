WITH "t31" AS (
  SELECT
    "t26"."_node",
    "t26"."_rank",
    "t26"."metric",
    "t26"."period_start",
    "t26"."period_end",
    "t26"."value",
    "t26"."_p",
    "t26"."_last",
    CASE
      WHEN (
        "t26"."period_start" >= "t26"."_p"
      )
      AND (
        "t26"."period_end" <= "t26"."_last"
      )
      THEN 1
      ELSE 0
    END AS "_in",
    CASE
      WHEN (
        "t26"."period_start" = "t26"."_p"
      )
      AND (
        "t26"."period_end" = "t26"."_last"
      )
      THEN 1
      ELSE 0
    END AS "_own"
  FROM (
    SELECT
      "t22"."_node",
      "t22"."_rank",
      "t22"."metric",
      "t22"."period_start",
      "t22"."period_end",
      "t22"."value",
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
    ) AS "t22"
    INNER JOIN (
      SELECT
        *
      FROM "memtable" AS "t7"
    ) AS "t18"
      ON "t22"."period_start" <= "t18"."_last" AND "t22"."period_end" >= "t18"."_p"
  ) AS "t26"
  WHERE
    (
      CASE
        WHEN (
          "t26"."period_start" = "t26"."_p"
        )
        AND (
          "t26"."period_end" = "t26"."_last"
        )
        THEN 1
        ELSE 0
      END = 1
    )
    OR "t26"."metric" IN ('revenue_won')
), "t47" AS (
  SELECT
    "t46"."_node",
    "t46"."_rank",
    "t46"."metric",
    "t46"."_p",
    SUM("t46"."_v") AS "_v",
    MAX(1 - "t46"."_in") AS "_spread",
    MAX(1 - "t46"."_own") AS "_summed"
  FROM (
    SELECT
      "t45"."_node",
      "t45"."_rank",
      "t45"."metric",
      "t45"."period_start",
      "t45"."period_end",
      "t45"."value",
      "t45"."_p",
      "t45"."_last",
      "t45"."_in",
      "t45"."_own",
      CASE
        WHEN "t45"."_in" = 1
        THEN "t45"."value"
        ELSE "t45"."value" * CASE
          WHEN (
            (
              CAST(FLOOR(
                (
                  GREATEST(DATE_DIFF('DAY', "t45"."period_start", "t45"."period_end") + 1, 0)
                ) / (
                  7
                )
              ) AS BIGINT) * 5
            ) + GREATEST(
              LEAST(
                (
                  (
                    DAYOFWEEK("t45"."period_start") + 6
                  ) % 7
                ) + (
                  GREATEST(DATE_DIFF('DAY', "t45"."period_start", "t45"."period_end") + 1, 0) % 7
                ),
                5
              ) - (
                (
                  DAYOFWEEK("t45"."period_start") + 6
                ) % 7
              ),
              0
            ) + GREATEST(
              (
                (
                  (
                    DAYOFWEEK("t45"."period_start") + 6
                  ) % 7
                ) + (
                  GREATEST(DATE_DIFF('DAY', "t45"."period_start", "t45"."period_end") + 1, 0) % 7
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
                    GREATEST("t45"."period_start", "t45"."_p"),
                    LEAST("t45"."period_end", "t45"."_last")
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
                  DAYOFWEEK(GREATEST("t45"."period_start", "t45"."_p")) + 6
                ) % 7
              ) + (
                GREATEST(
                  DATE_DIFF(
                    'DAY',
                    GREATEST("t45"."period_start", "t45"."_p"),
                    LEAST("t45"."period_end", "t45"."_last")
                  ) + 1,
                  0
                ) % 7
              ),
              5
            ) - (
              (
                DAYOFWEEK(GREATEST("t45"."period_start", "t45"."_p")) + 6
              ) % 7
            ),
            0
          ) + GREATEST(
            (
              (
                (
                  DAYOFWEEK(GREATEST("t45"."period_start", "t45"."_p")) + 6
                ) % 7
              ) + (
                GREATEST(
                  DATE_DIFF(
                    'DAY',
                    GREATEST("t45"."period_start", "t45"."_p"),
                    LEAST("t45"."period_end", "t45"."_last")
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
                  GREATEST(DATE_DIFF('DAY', "t45"."period_start", "t45"."period_end") + 1, 0)
                ) / (
                  7
                )
              ) AS BIGINT) * 5
            ) + GREATEST(
              LEAST(
                (
                  (
                    DAYOFWEEK("t45"."period_start") + 6
                  ) % 7
                ) + (
                  GREATEST(DATE_DIFF('DAY', "t45"."period_start", "t45"."period_end") + 1, 0) % 7
                ),
                5
              ) - (
                (
                  DAYOFWEEK("t45"."period_start") + 6
                ) % 7
              ),
              0
            ) + GREATEST(
              (
                (
                  (
                    DAYOFWEEK("t45"."period_start") + 6
                  ) % 7
                ) + (
                  GREATEST(DATE_DIFF('DAY', "t45"."period_start", "t45"."period_end") + 1, 0) % 7
                )
              ) - 7,
              0
            ) AS DOUBLE),
            0
          )
          ELSE CAST(DATE_DIFF(
            'DAY',
            GREATEST("t45"."period_start", "t45"."_p"),
            LEAST("t45"."period_end", "t45"."_last")
          ) + 1 AS DOUBLE) / CAST(DATE_DIFF('DAY', "t45"."period_start", "t45"."period_end") + 1 AS DOUBLE)
        END
      END AS "_v"
    FROM (
      SELECT
        "t34"."_node",
        "t34"."_rank",
        "t34"."metric",
        "t34"."period_start",
        "t34"."period_end",
        "t34"."value",
        "t34"."_p",
        "t34"."_last",
        "t34"."_in",
        "t34"."_own"
      FROM "t31" AS "t34"
      ANTI JOIN (
        SELECT DISTINCT
          *
        FROM (
          SELECT
            "t34"."_node",
            "t34"."_rank",
            "t34"."metric",
            "t34"."_p",
            "t34"."period_start",
            "t34"."period_end"
          FROM "t31" AS "t34"
          INNER JOIN "t31" AS "t35"
            ON "t34"."_node" = "t35"."_node"
            AND "t34"."_rank" = "t35"."_rank"
            AND "t34"."metric" = "t35"."metric"
            AND "t34"."_p" = "t35"."_p"
            AND (
              (
                (
                  "t35"."_own" = 1
                ) AND (
                  "t34"."_own" = 0
                )
              )
              OR (
                (
                  "t34"."_in" = 1
                )
                AND (
                  "t35"."_in" = 1
                )
                AND (
                  (
                    "t35"."period_start" <= "t34"."period_start"
                  )
                  AND (
                    "t34"."period_end" <= "t35"."period_end"
                  )
                  AND (
                    (
                      "t35"."period_start" <> "t34"."period_start"
                    )
                    OR (
                      "t35"."period_end" <> "t34"."period_end"
                    )
                  )
                )
              )
              OR (
                (
                  "t34"."_in" = 0
                )
                AND (
                  (
                    "t34"."period_start" <= "t35"."period_start"
                  )
                  AND (
                    "t35"."period_end" <= "t34"."period_end"
                  )
                  AND (
                    (
                      "t35"."period_start" <> "t34"."period_start"
                    )
                    OR (
                      "t35"."period_end" <> "t34"."period_end"
                    )
                  )
                )
              )
            )
        ) AS "t40"
      ) AS "t43"
        ON "t34"."_node" = "t43"."_node"
        AND "t34"."_rank" = "t43"."_rank"
        AND "t34"."metric" = "t43"."metric"
        AND "t34"."_p" = "t43"."_p"
        AND "t34"."period_start" = "t43"."period_start"
        AND "t34"."period_end" = "t43"."period_end"
    ) AS "t45"
  ) AS "t46"
  GROUP BY
    1,
    2,
    3,
    4
)
SELECT
  "t65"."_key" AS "rep_id",
  "t65"."_period" AS "period_start",
  "t65"."revenue_won" / NULLIF("t65"."revenue_won_target", 0) AS "quota_attainment"
FROM (
  SELECT
    "t44"."_key",
    "t44"."_period",
    "t44"."revenue_won",
    "t64"."_tk",
    "t64"."_p",
    "t64"."revenue_won_target",
    "t64"."revenue_won_target_basis"
  FROM (
    SELECT
      "t39"."_key",
      "t39"."_period",
      COALESCE("t39"."revenue_won", 0) AS "revenue_won"
    FROM (
      SELECT
        "t38"."_key",
        "t38"."_period",
        MAX("t38"."revenue_won") AS "revenue_won",
        MAX("t38"."working_days") AS "working_days"
      FROM (
        SELECT
          *
        FROM (
          SELECT
            "t29"."_key",
            "t29"."_period",
            "t29"."revenue_won",
            CAST(NULL AS DOUBLE) AS "working_days"
          FROM (
            SELECT
              "t27"."_key",
              "t27"."_period",
              SUM("t27"."amount") FILTER(WHERE
                "t27"."status" = 'won') AS "revenue_won"
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
                "t23"."amount_given",
                "t23"."amount_created",
                "t23"."_n",
                "t23"."_n_amount",
                "t23"."_local",
                "t23"."_created_local",
                CAST(DATE_TRUNC('QUARTER', "t23"."_local") AS DATE) AS "_period",
                "t23"."rep_id" AS "_key"
              FROM (
                SELECT
                  "t0"."deal_id",
                  "t0"."rep_id",
                  "t0"."created_at",
                  "t0"."status",
                  "t0"."amount",
                  "t0"."currency",
                  "t0"."closed_at",
                  "t0"."account_id",
                  "t0"."stage",
                  "t0"."kind",
                  "t0"."lost_reason",
                  "t0"."source",
                  "t0"."amount" AS "amount_given",
                  "t0"."amount" AS "amount_created",
                  1 AS "_n",
                  CASE WHEN "t0"."amount" IS NOT NULL THEN 1 ELSE 0 END AS "_n_amount",
                  CASE
                    WHEN "t0"."closed_at" = (
                      DATE_TRUNC('DAY', "t0"."closed_at") + INTERVAL '43200314159' MICROSECOND
                    )
                    THEN DATE_TRUNC('DAY', "t0"."closed_at")
                    ELSE "t0"."closed_at" + TO_SECONDS(
                      CASE
                        WHEN "t0"."closed_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                        THEN 3600
                        ELSE 7200
                      END
                    )
                  END AS "_local",
                  CASE
                    WHEN "t0"."created_at" = (
                      DATE_TRUNC('DAY', "t0"."created_at") + INTERVAL '43200314159' MICROSECOND
                    )
                    THEN DATE_TRUNC('DAY', "t0"."created_at")
                    ELSE "t0"."created_at" + TO_SECONDS(
                      CASE
                        WHEN "t0"."created_at" < MAKE_TIMESTAMP(2015, 3, 29, 1, 0, 0.0)
                        THEN 3600
                        WHEN "t0"."created_at" < MAKE_TIMESTAMP(2015, 10, 25, 1, 0, 0.0)
                        THEN 7200
                        WHEN "t0"."created_at" < MAKE_TIMESTAMP(2016, 3, 27, 1, 0, 0.0)
                        THEN 3600
                        WHEN "t0"."created_at" < MAKE_TIMESTAMP(2016, 10, 30, 1, 0, 0.0)
                        THEN 7200
                        WHEN "t0"."created_at" < MAKE_TIMESTAMP(2017, 3, 26, 1, 0, 0.0)
                        THEN 3600
                        WHEN "t0"."created_at" < MAKE_TIMESTAMP(2017, 10, 29, 1, 0, 0.0)
                        THEN 7200
                        WHEN "t0"."created_at" < MAKE_TIMESTAMP(2018, 3, 25, 1, 0, 0.0)
                        THEN 3600
                        WHEN "t0"."created_at" < MAKE_TIMESTAMP(2018, 10, 28, 1, 0, 0.0)
                        THEN 7200
                        WHEN "t0"."created_at" < MAKE_TIMESTAMP(2019, 3, 31, 1, 0, 0.0)
                        THEN 3600
                        WHEN "t0"."created_at" < MAKE_TIMESTAMP(2019, 10, 27, 1, 0, 0.0)
                        THEN 7200
                        WHEN "t0"."created_at" < MAKE_TIMESTAMP(2020, 3, 29, 1, 0, 0.0)
                        THEN 3600
                        WHEN "t0"."created_at" < MAKE_TIMESTAMP(2020, 10, 25, 1, 0, 0.0)
                        THEN 7200
                        WHEN "t0"."created_at" < MAKE_TIMESTAMP(2021, 3, 28, 1, 0, 0.0)
                        THEN 3600
                        WHEN "t0"."created_at" < MAKE_TIMESTAMP(2021, 10, 31, 1, 0, 0.0)
                        THEN 7200
                        WHEN "t0"."created_at" < MAKE_TIMESTAMP(2022, 3, 27, 1, 0, 0.0)
                        THEN 3600
                        WHEN "t0"."created_at" < MAKE_TIMESTAMP(2022, 10, 30, 1, 0, 0.0)
                        THEN 7200
                        WHEN "t0"."created_at" < MAKE_TIMESTAMP(2023, 3, 26, 1, 0, 0.0)
                        THEN 3600
                        WHEN "t0"."created_at" < MAKE_TIMESTAMP(2023, 10, 29, 1, 0, 0.0)
                        THEN 7200
                        WHEN "t0"."created_at" < MAKE_TIMESTAMP(2024, 3, 31, 1, 0, 0.0)
                        THEN 3600
                        WHEN "t0"."created_at" < MAKE_TIMESTAMP(2024, 10, 27, 1, 0, 0.0)
                        THEN 7200
                        WHEN "t0"."created_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                        THEN 3600
                        ELSE 7200
                      END
                    )
                  END AS "_created_local"
                FROM "deals" AS "t0"
                WHERE
                  "t0"."status" IN ('won', 'lost') AND "t0"."closed_at" IS NOT NULL
              ) AS "t23"
              WHERE
                "t23"."_local" >= MAKE_TIMESTAMP(2025, 1, 1, 0, 0, 0.0)
                AND "t23"."_local" < MAKE_TIMESTAMP(2025, 4, 1, 0, 0, 0.0)
            ) AS "t27"
            GROUP BY
              1,
              2
          ) AS "t29"
        ) AS "t30"
        UNION ALL
        SELECT
          *
        FROM (
          SELECT
            "t36"."_key",
            "t36"."_period",
            CAST(NULL AS DOUBLE) AS "revenue_won",
            "t36"."working_days"
          FROM (
            SELECT
              "t33"."_key",
              "t33"."_period",
              CAST(COUNT(*) AS DOUBLE) AS "working_days"
            FROM (
              SELECT
                "t28"."rep_id",
                "t28"."date",
                "t28"."rep_id" AS "_key",
                CAST(DATE_TRUNC('QUARTER', CAST("t28"."date" AS TIMESTAMP)) AS DATE) AS "_period"
              FROM (
                SELECT
                  "t25"."rep_id",
                  "t25"."date"
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
                ) AS "t25"
                ANTI JOIN (
                  SELECT
                    *
                  FROM "absences" AS "t1"
                ) AS "t14"
                  ON "t25"."rep_id" = "t14"."rep_id" AND "t25"."date" = "t14"."date"
              ) AS "t28"
            ) AS "t33"
            GROUP BY
              1,
              2
          ) AS "t36"
        ) AS "t37"
      ) AS "t38"
      GROUP BY
        1,
        2
    ) AS "t39"
    WHERE
      "t39"."_period" IN (MAKE_DATE(2025, 1, 1))
  ) AS "t44"
  LEFT OUTER JOIN (
    SELECT
      "t62"."_tk",
      "t62"."_p",
      SUM("t62"."_v") FILTER(WHERE
        "t62"."metric" = 'revenue_won') AS "revenue_won_target",
      MAX("t62"."_basis") FILTER(WHERE
        "t62"."metric" = 'revenue_won') AS "revenue_won_target_basis"
    FROM (
      SELECT
        "t61"."_tk",
        "t61"."metric",
        "t61"."_p",
        "t61"."_v",
        "t61"."_spread",
        "t61"."_summed",
        "t61"."_members",
        CASE
          WHEN (
            "t61"."_members" = 1
          ) AND (
            "t61"."_spread" = 1
          )
          THEN 'members_spread'
          WHEN (
            "t61"."_members" = 1
          ) AND (
            "t61"."_summed" = 1
          )
          THEN 'members_summed'
          WHEN "t61"."_members" = 1
          THEN 'members'
          WHEN "t61"."_spread" = 1
          THEN 'spread'
          WHEN "t61"."_summed" = 1
          THEN 'summed'
          ELSE CAST(NULL AS TEXT)
        END AS "_basis"
      FROM (
        SELECT
          "t60"."_tk",
          "t60"."metric",
          "t60"."_p",
          SUM("t60"."_v") AS "_v",
          MAX("t60"."_spread") AS "_spread",
          MAX("t60"."_summed") AS "_summed",
          MAX("t60"."_members") AS "_members"
        FROM (
          SELECT
            "t59"."_tk",
            "t59"."_anc",
            "t59"."_node",
            "t59"."metric",
            "t59"."_p",
            "t59"."_v",
            "t59"."_spread",
            "t59"."_summed",
            CASE WHEN "t59"."_node" <> "t59"."_anc" THEN 1 ELSE 0 END AS "_members"
          FROM (
            SELECT
              "t58"."_tk",
              "t58"."_anc",
              "t58"."_node",
              "t58"."metric",
              "t58"."_p",
              "t58"."_v",
              "t58"."_spread",
              "t58"."_summed"
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t8"."_tk",
                  "t8"."_anc",
                  "t8"."_node",
                  "t53"."metric",
                  "t53"."_p",
                  "t53"."_v",
                  "t53"."_spread",
                  "t53"."_summed"
                FROM "memtable" AS "t8"
                INNER JOIN (
                  SELECT
                    "t49"."_node",
                    "t49"."metric",
                    "t49"."_p",
                    "t49"."_v",
                    "t49"."_spread",
                    "t49"."_summed"
                  FROM "t47" AS "t49"
                  INNER JOIN (
                    SELECT
                      "t48"."_node",
                      "t48"."metric",
                      "t48"."_p",
                      MIN("t48"."_rank") AS "_best"
                    FROM "t47" AS "t48"
                    GROUP BY
                      1,
                      2,
                      3
                  ) AS "t51"
                    ON "t49"."_node" = "t51"."_node"
                    AND "t49"."metric" = "t51"."metric"
                    AND "t49"."_p" = "t51"."_p"
                    AND "t49"."_rank" = "t51"."_best"
                ) AS "t53"
                  ON "t8"."_node" = "t53"."_node"
              ) AS "t54"
              WHERE
                (
                  "t54"."_anc" = "t54"."_node"
                ) OR "t54"."metric" IN ('revenue_won')
            ) AS "t58"
            ANTI JOIN (
              SELECT
                "t9"."_anc",
                "t9"."_node",
                "t53"."metric",
                "t53"."_p"
              FROM "memtable" AS "t9"
              INNER JOIN (
                SELECT
                  "t49"."_node",
                  "t49"."metric",
                  "t49"."_p",
                  "t49"."_v",
                  "t49"."_spread",
                  "t49"."_summed"
                FROM "t47" AS "t49"
                INNER JOIN (
                  SELECT
                    "t48"."_node",
                    "t48"."metric",
                    "t48"."_p",
                    MIN("t48"."_rank") AS "_best"
                  FROM "t47" AS "t48"
                  GROUP BY
                    1,
                    2,
                    3
                ) AS "t51"
                  ON "t49"."_node" = "t51"."_node"
                  AND "t49"."metric" = "t51"."metric"
                  AND "t49"."_p" = "t51"."_p"
                  AND "t49"."_rank" = "t51"."_best"
              ) AS "t53"
                ON "t9"."_mid" = "t53"."_node"
            ) AS "t56"
              ON "t58"."_anc" = "t56"."_anc"
              AND "t58"."_node" = "t56"."_node"
              AND "t58"."metric" = "t56"."metric"
              AND "t58"."_p" = "t56"."_p"
          ) AS "t59"
        ) AS "t60"
        GROUP BY
          1,
          2,
          3
      ) AS "t61"
    ) AS "t62"
    GROUP BY
      1,
      2
  ) AS "t64"
    ON "t44"."_key" = "t64"."_tk" AND "t44"."_period" = "t64"."_p"
) AS "t65"
ORDER BY
  "t65"."_key" ASC,
  "t65"."_period" ASC
