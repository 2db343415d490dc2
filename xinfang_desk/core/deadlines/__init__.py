"""The statutory deadlines: working-day arithmetic (`workdays`, pure), the office's
holiday/调休 table (`calendar`) and the engine that lists every running limit (`engine`). May
import people, store, rules.
"""
