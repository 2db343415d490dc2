"""Timing of case search and repeat detection on a large database (a plain script, not a test).

    python bench/bench_core_search.py [--cases 100000] [--dir /tmp/xf-bench] [--keep]

Builds N synthetic cases with raw `executemany` (the FTS triggers index them as they go),
then times `search_cases` (3+ characters, 2 characters, 1 character, ID number, phone,
filters) and `find_repeats`. Each timing is the median of several runs, in milliseconds,
measured after one warm-up run (the SQLite page cache is warm, as on a desk PC in use).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅建国志海燕鹏辉林斌宇浩凯秀云文金凤德福春晓东荣新利琴雪松波"
TOWNS = ["城关镇", "东坝镇", "西河乡", "南山镇", "北辰街道", "青石镇", "白马乡", "龙泉街道", "新华街道", "太平镇"]
VILLAGES = ["杨柳村", "石桥村", "李家湾村", "黄泥坝村", "新民村", "和平社区", "幸福社区", "红星村", "桃园村", "双河村"]
ROADS = ["人民路", "解放路", "滨江路", "建设路", "文化路", "中山路", "朝阳路", "光明路"]
COMPANIES = ["宏达建筑工程有限公司", "恒基房地产开发公司", "鑫源物业管理公司", "金盛化工厂", "顺通运输公司",
             "华宇劳务派遣公司", "天成食品厂", "明珠酒店", "蓝天幼儿园", "绿源养殖场", "县第二建筑公司",
             "永丰纺织厂", "嘉禾商贸公司", "长江水泥厂", "博远科技公司"]
MATTERS = [
    ("劳动社保/劳动报酬", "反映{company}拖欠工资", "请求督促{company}支付拖欠的{months}个月工资共计{amount}元",
     "本人于{year}年在{company}务工，{company}以资金困难为由拖欠{months}个月工资，多次讨要未果。"),
    ("劳动社保/社会保险", "反映{company}未缴纳社会保险", "请求为本人补缴{year}年以来的养老保险",
     "本人在{company}工作{months}年，单位一直未为职工缴纳养老保险和医疗保险。"),
    ("城乡建设/房屋征收拆迁", "反映{village}房屋征收补偿标准过低", "请求按市场价重新评估房屋补偿",
     "{town}{village}实施旧城改造，本人房屋面积{area}平方米，评估价格明显低于周边房价。"),
    ("城乡建设/物业管理", "反映{company}物业服务不到位", "请求更换物业公司并退还多收的物业费",
     "小区电梯经常故障，垃圾无人清运，{company}每月仍收取物业费{amount}元。"),
    ("环境保护/噪声污染", "反映{road}夜间施工噪声扰民", "请求责令施工单位夜间停止施工",
     "{road}工地每天晚上十点以后仍在施工，噪声很大，影响周边居民休息。"),
    ("环境保护/大气污染", "反映{company}排放废气", "请求查处{company}违法排污行为",
     "{town}{company}烟囱经常冒黑烟，气味刺鼻，周边村民身体不适。"),
    ("农村农业/土地承包", "反映{village}土地承包合同纠纷", "请求确认本人的土地承包经营权",
     "本人承包{village}土地{area}亩，村委会未经同意将土地转包给他人。"),
    ("农村农业/宅基地", "反映{village}宅基地审批问题", "请求批准本人的宅基地申请",
     "本人于{year}年提出宅基地申请，至今未获审批，{town}答复称指标不足。"),
    ("国土资源/土地征收", "反映{village}征地补偿款未发放", "请求发放征地补偿款{amount}元",
     "{year}年{town}征收{village}集体土地，补偿款至今未全部发放到户。"),
    ("教育卫生/医疗纠纷", "反映县人民医院医疗事故", "请求对医疗事故进行鉴定并赔偿",
     "本人家属在县人民医院手术后出现并发症，医院拒绝提供完整病历。"),
    ("民政/社会救助", "申请最低生活保障", "请求将本人纳入低保对象",
     "本人患病多年丧失劳动能力，家庭人均收入低于当地低保标准，申请被{town}驳回。"),
    ("交通运输/道路交通", "反映{road}路段交通拥堵", "建议在{road}路口增设红绿灯",
     "{road}与{road2}交叉口上下学高峰期拥堵严重，多次发生交通事故。"),
    ("纪检监察/违纪违法", "检举{village}村干部侵占集体资金", "请求调查村干部违纪问题",
     "{village}村干部利用职务便利侵占集体土地补偿款约{amount}元。"),
    ("市场监管/消费维权", "反映{company}销售不合格产品", "请求退款并赔偿损失{amount}元",
     "本人在{company}购买的商品存在质量问题，商家拒绝退换。"),
    ("企业改制/职工安置", "反映{company}改制后职工安置问题", "请求落实改制职工的安置待遇",
     "{company}于{year}年改制，原职工的经济补偿金和社保接续问题至今未解决。"),
    ("政务服务/办事效率", "反映不动产登记办理时间过长", "请求尽快办理不动产权证",
     "本人于{year}年提交不动产登记申请，材料齐全，至今{months}个月未办结。"),
]
CHANNELS = ["来访"] * 5 + ["来信"] * 2 + ["来电"] * 2 + ["网上", "领导信箱", "上级转送"]
CATEGORIES = ["申诉求决"] * 6 + ["建议意见", "检举控告", "咨询"]
STATUSES = ["registered", "accepted", "forwarded", "replied", "closed", "closed", "closed"]


def _id_number(rng: random.Random, n: int) -> str:
    from xinfang_desk.core.rules.validators import _id_check_char

    birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 60 * 365))
    first17 = f"510722{birth:%Y%m%d}{n % 1000:03d}"
    return first17 + _id_check_char(first17)


def build(n_cases: int, seed: int = 7) -> dict:
    """Insert n_cases synthetic cases into the open database; returns sample values."""
    from xinfang_desk.core.store.db import database
    from xinfang_desk.core.store.models import Field, Unit

    rng = random.Random(seed)
    fields = {}
    for f in Field.select():
        fields[f.path] = f.id
    units = [u.id for u in Unit.select()]
    n_people = max(10, n_cases * 7 // 10)  # some people come back
    people = []
    used_ids = set()
    for i in range(n_people):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        number = _id_number(rng, i)
        while number in used_ids:
            number = _id_number(rng, i + rng.randrange(1000))
        used_ids.add(number)
        phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        addr = f"{rng.choice(TOWNS)}{rng.choice(VILLAGES)}{rng.randrange(1, 200)}号"
        people.append((name, "身份证", number, phone, addr))
    db = database.obj
    start = dt.date.today() - dt.timedelta(days=5 * 365)
    now = dt.datetime.now().replace(microsecond=0)
    with db.atomic():
        cur = db.execute_sql("SELECT COALESCE(MAX(id), 0) FROM petitioner")
        pet_base = cur.fetchone()[0]
        db.cursor().executemany(
            "INSERT INTO petitioner (kind, name, doc_type, id_number, phone, phone_alt, address, "
            "created_at) VALUES ('个人', ?, ?, ?, ?, '', ?, ?)",
            [(p[0], p[1], p[2], p[3], p[4], now) for p in people])
        cur = db.execute_sql("SELECT COALESCE(MAX(id), 0) FROM xf_case")
        case_base = cur.fetchone()[0]
        case_rows, links = [], []
        for i in range(n_cases):
            who = rng.randrange(n_people)
            path, summary, request, facts = rng.choice(MATTERS)
            roads = rng.sample(ROADS, 2)
            fill = dict(company=rng.choice(COMPANIES), village=rng.choice(VILLAGES),
                        town=rng.choice(TOWNS), road=roads[0], road2=roads[1],
                        months=rng.randrange(2, 13), amount=rng.randrange(3, 900) * 100,
                        year=rng.randrange(2010, 2025), area=rng.randrange(20, 300))
            summary, request, facts = (s.format(**fill) for s in (summary, request, facts))
            received = start + dt.timedelta(days=rng.randrange(5 * 365))
            name = people[who][0]
            case_rows.append((
                f"XB{received.year}-{i + 1 + case_base:06d}", f"Q{i + case_base:07d}", received,
                rng.choice(CHANNELS), rng.choice(CATEGORIES), fields.get(path), summary, request,
                facts, "受理", rng.choice(units), rng.choice(STATUSES),
                "\n".join([name, summary, request, facts]), now, now))
            links.append((case_base + i + 1, pet_base + who + 1))
        db.cursor().executemany(
            "INSERT INTO xf_case (case_no, query_code, received_on, channel, category, field_id, "
            "summary, request, facts, disposition, unit_id, status, search_text, created_at, "
            "updated_at, channel_ref, people_count, reps_present, reasons, answer_given, "
            "reject_reason, approach_body, confidential, clerk) VALUES "
            "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'',1,1,'','','','',0,'')", case_rows)
        db.cursor().executemany(
            "INSERT INTO case_petitioner (case_id, petitioner_id, position, is_representative) "
            "VALUES (?, ?, 0, 0)", links)
    sample = people[links[n_cases // 2][1] - pet_base - 1]
    return {"name": sample[0], "id_number": sample[2], "phone": sample[3], "address": sample[4],
            "case_no": case_rows[n_cases // 3][0]}


def timed(fn, runs: int = 7) -> tuple[float, object]:
    result = fn()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--dir", type=Path, default=None)
    ap.add_argument("--keep", action="store_true", help="reuse/keep the database in --dir")
    args = ap.parse_args()

    from xinfang_desk.core.cases import repeats, search
    from xinfang_desk.core.store.models import Case
    from xinfang_desk.core.store.storage import close, open_data_dir

    root = args.dir or Path(tempfile.mkdtemp(prefix="xf-bench-"))
    open_data_dir(root)
    existing = Case.select().count()
    t0 = time.perf_counter()
    if existing < args.cases:
        sample = build(args.cases - existing)
        print(f"built {args.cases - existing} cases in {time.perf_counter() - t0:.1f} s")
    else:
        from xinfang_desk.core.store.models import Petitioner

        p = Petitioner.select().order_by(Petitioner.id).offset(existing // 3).first()
        sample = {"name": p.name, "id_number": p.id_number, "phone": p.phone,
                  "address": p.address, "case_no": Case.select().order_by(Case.id)
                  .offset(existing // 3).first().case_no}
        print(f"reusing {existing} cases in {root}")

    checks = [
        ("3+ chars  '拖欠工资'", lambda: search.search_cases("拖欠工资")),
        ("3+ chars  rare '李家湾村'", lambda: search.search_cases("李家湾村")),
        ("3+ chars  common '本人于'", lambda: search.search_cases("本人于")),
        ("2 terms   '宏达 工资'", lambda: search.search_cases("宏达 工资")),
        ("2 chars   '工资'", lambda: search.search_cases("工资")),
        ("2 chars   rare '熊娜'", lambda: search.search_cases("熊娜")),
        ("1 char    '熊'", lambda: search.search_cases("熊")),
        ("name      " + sample["name"], lambda: search.search_cases(sample["name"])),
        ("ID number", lambda: search.search_cases(sample["id_number"])),
        ("phone", lambda: search.search_cases(sample["phone"])),
        ("case no", lambda: search.search_cases(sample["case_no"])),
        ("filters only (status+field)", lambda: search.search_cases(
            status="closed", field="劳动社保")),
        ("3+ chars + filters", lambda: search.search_cases(
            "拖欠工资", status="closed", date_from=dt.date.today() - dt.timedelta(days=365))),
        ("no text, page 100", lambda: search.search_cases(offset=5000)),
        ("repeats: ID + text", lambda: repeats.find_repeats(
            id_number=sample["id_number"], text="宏达建筑工程有限公司拖欠我六个月工资")),
        ("repeats: ID+phone+name+addr+text", lambda: repeats.find_repeats(
            id_number=sample["id_number"], phone=sample["phone"], name=sample["name"],
            address=sample["address"],
            text="反映小区物业服务不到位，电梯经常故障，请求更换物业公司并退还物业费")),
        ("repeats: common name only", lambda: repeats.find_repeats(name="王伟")),
        ("repeats: long text only", lambda: repeats.find_repeats(
            text="本人于2019年在县第二建筑公司务工，公司以资金困难为由拖欠八个月工资，多次讨要未果，"
                 "请求督促支付拖欠的工资共计三万元")),
        ("repeats: short text '拖欠工资'", lambda: repeats.find_repeats(text="拖欠工资")),
    ]
    print(f"{'query':40} {'ms':>8} {'total/hits':>10}")
    for label, fn in checks:
        ms, result = timed(fn)
        hits = result.total if hasattr(result, "total") else len(result)
        print(f"{label:40} {ms:8.1f} {hits:>10}")
    close()
    if not args.keep and args.dir is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
