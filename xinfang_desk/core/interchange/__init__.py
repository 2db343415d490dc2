"""Files that carry cases in and out: JSON Lines export and import (`jsonl`). May import
answers and everything below.
"""
