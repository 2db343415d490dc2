"""Files that carry cases in and out: JSON Lines export and import (`jsonl`), and the office's
Excel/WPS ledger (台账): reading xlsx/xls/CSV (`sheets`), its columns and the saved mappings
(`ledger_columns`), values as offices type them (`ledger_values`), a row made a case
(`ledger_rows`), the import (`ledger_import`) and the export (`ledger_export`); the .zip
package of cases with their attachments (`bundle`). May import papers and everything below.
"""
