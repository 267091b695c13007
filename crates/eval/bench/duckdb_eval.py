"""Runs duckdb_eval.sql on a facts file for `qx bench eval`.

usage: python3 duckdb_eval.py SQL_FILE FACTS.csv RESULTS.csv
Prints the seconds spent inside DuckDB (connect + query + COPY), excluding interpreter start-up.
"""
import sys
import time

import duckdb

sql_file, facts, results = sys.argv[1:4]
with open(sql_file, encoding="utf-8") as f:
    sql = f.read().replace("{input}", facts.replace("'", "''")).replace("{output}", results.replace("'", "''"))
start = time.perf_counter()
con = duckdb.connect()
con.execute(sql)
con.close()
print(f"{time.perf_counter() - start:.6f}")
