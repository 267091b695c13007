-- The default 亩均 scheme (shared/contracts/eval.md, 黄岩 2022) as one DuckDB statement, written the
-- way an analyst would: it is what `qx bench eval` times `qx eval` against, and its output must
-- agree with RESULTS.csv (scores to 2 dp, ranks, classes).
--
-- Faithful to the contract: item score = max(0, value / benchmark × weight); an item whose
-- numerator is missing or whose denominator is missing or ≤ 0 gets the mean score of the firms of
-- its group (scale) that have it (0 if none); rank by total descending, ties by uscc; pct = rank/N;
-- classes A ≤ 0.20 < B ≤ 0.60 < C ≤ 0.95 < D (inclusive); rounding half away from zero.
-- {input} and {output} are replaced by the runner (duckdb_eval.py).
COPY (
WITH facts AS (
  SELECT * FROM read_csv('{input}', header = true, auto_detect = false, delim = ',', quote = '"',
    columns = {'uscc': 'VARCHAR', 'name': 'VARCHAR', 'town': 'VARCHAR', 'industry': 'VARCHAR', 'scale': 'VARCHAR',
               'land_mu': 'DOUBLE', 'tax_wan': 'DOUBLE', 'added_value_wan': 'DOUBLE', 'energy_tce': 'DOUBLE',
               'emission_t': 'DOUBLE', 'employees': 'DOUBLE', 'rd_wan': 'DOUBLE', 'revenue_wan': 'DOUBLE',
               'electricity_wkwh': 'DOUBLE'})
),
raw AS (
  SELECT uscc, scale,
    CASE WHEN scale = 'above' AND tax_wan IS NOT NULL AND land_mu > 0 THEN greatest(0.0, tax_wan / land_mu / 24.097 * 30) END AS r_tax_per_mu_above,
    CASE WHEN scale = 'above' AND added_value_wan IS NOT NULL AND land_mu > 0 THEN greatest(0.0, added_value_wan / land_mu / 136.16 * 20) END AS r_va_per_mu,
    CASE WHEN scale = 'above' AND added_value_wan IS NOT NULL AND energy_tce > 0 THEN greatest(0.0, added_value_wan / energy_tce / 2.694 * 20) END AS r_va_per_energy,
    CASE WHEN scale = 'above' AND added_value_wan IS NOT NULL AND emission_t > 0 THEN greatest(0.0, added_value_wan / emission_t / 4929.81 * 10) END AS r_va_per_emission,
    CASE WHEN scale = 'above' AND added_value_wan IS NOT NULL AND employees > 0 THEN greatest(0.0, added_value_wan / employees / 18.14 * 10) END AS r_va_per_employee,
    CASE WHEN scale = 'above' AND rd_wan IS NOT NULL AND revenue_wan > 0 THEN greatest(0.0, rd_wan / revenue_wan / 0.0302 * 10) END AS r_rd_ratio,
    CASE WHEN scale = 'below' AND tax_wan IS NOT NULL AND land_mu > 0 THEN greatest(0.0, tax_wan / land_mu / 11.5932 * 50) END AS r_tax_per_mu_below,
    CASE WHEN scale = 'below' AND tax_wan IS NOT NULL AND electricity_wkwh > 0 THEN greatest(0.0, tax_wan / electricity_wkwh / 0.2352 * 50) END AS r_tax_per_kwh
  FROM facts
),
imputed AS (
  SELECT uscc, scale,
    CASE WHEN scale = 'above' THEN coalesce(r_tax_per_mu_above, avg(r_tax_per_mu_above) OVER w, 0.0)
         ELSE coalesce(r_tax_per_mu_below, avg(r_tax_per_mu_below) OVER w, 0.0) END AS s_tax_per_mu,
    CASE WHEN scale = 'above' THEN coalesce(r_va_per_mu, avg(r_va_per_mu) OVER w, 0.0) END AS s_va_per_mu,
    CASE WHEN scale = 'above' THEN coalesce(r_va_per_energy, avg(r_va_per_energy) OVER w, 0.0) END AS s_va_per_energy,
    CASE WHEN scale = 'above' THEN coalesce(r_va_per_emission, avg(r_va_per_emission) OVER w, 0.0) END AS s_va_per_emission,
    CASE WHEN scale = 'above' THEN coalesce(r_va_per_employee, avg(r_va_per_employee) OVER w, 0.0) END AS s_va_per_employee,
    CASE WHEN scale = 'above' THEN coalesce(r_rd_ratio, avg(r_rd_ratio) OVER w, 0.0) END AS s_rd_ratio,
    CASE WHEN scale = 'below' THEN coalesce(r_tax_per_kwh, avg(r_tax_per_kwh) OVER w, 0.0) END AS s_tax_per_kwh
  FROM raw
  WINDOW w AS (PARTITION BY scale)
),
totals AS (
  SELECT *,
    CASE WHEN scale = 'above'
         THEN s_tax_per_mu + s_va_per_mu + s_va_per_energy + s_va_per_emission + s_va_per_employee + s_rd_ratio
         ELSE s_tax_per_mu + s_tax_per_kwh END AS total
  FROM imputed
),
ranked AS (
  SELECT *,
    row_number() OVER (PARTITION BY scale ORDER BY total DESC, uscc ASC) AS rnk,
    count(*) OVER (PARTITION BY scale) AS n
  FROM totals
)
SELECT uscc, scale,
  printf('%.2f', round(total, 2)) AS score,
  rnk AS "rank",
  CASE WHEN rnk / n <= 0.20 THEN 'A' WHEN rnk / n <= 0.60 THEN 'B' WHEN rnk / n <= 0.95 THEN 'C' ELSE 'D' END AS class,
  printf('%.4f', round(s_tax_per_mu, 4)) AS score_tax_per_mu,
  printf('%.4f', round(s_va_per_mu, 4)) AS score_va_per_mu,
  printf('%.4f', round(s_va_per_energy, 4)) AS score_va_per_energy,
  printf('%.4f', round(s_va_per_emission, 4)) AS score_va_per_emission,
  printf('%.4f', round(s_va_per_employee, 4)) AS score_va_per_employee,
  printf('%.4f', round(s_rd_ratio, 4)) AS score_rd_ratio,
  printf('%.4f', round(s_tax_per_kwh, 4)) AS score_tax_per_kwh
FROM ranked
ORDER BY CASE scale WHEN 'above' THEN 0 ELSE 1 END, rnk
) TO '{output}' (HEADER, DELIMITER ',');
