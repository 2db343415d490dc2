"""A realistic, deterministic demo history for training, screenshots and load tests.

`generate_demo` fills an empty data directory with about a year of an office's work before
`today`: walk-ins, letters, calls and online petitions of every class, group visits, repeat
visitors, forwarded and assigned matters with and without feedback, replies, satisfaction,
reviews, extensions, reopened cases, and — relative to `today` — matters that are overdue or
due soon. Everything goes through the same services as the desk (`cases.check_case` and
`cases.insert_checked`, whose state machine checks every event), in batched transactions.
Names, ID numbers, phones and addresses are invented; ID numbers carry correct check
characters. The same seed gives the same database (case numbers and query codes included).
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from xinfang_desk.core.cases import records as case_service
from xinfang_desk.core.cases.numbering import QUERY_ALPHABET, QUERY_CODE_LENGTH
from xinfang_desk.core.cases.records import CaseInput, PetitionerInput
from xinfang_desk.core.deadlines.engine import current_rules
from xinfang_desk.core.errors import XinfangError
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.workflow import EventData
from xinfang_desk.core.store import audit, settings
from xinfang_desk.core.store.db import storage_errors, write_transaction
from xinfang_desk.core.store.models import Case, Field

# --------------------------------------------------------------------------- people

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤蒲母敬何苟"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官")
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志文红玉德福贵春梅海燕琴宇浩然"
    "子涵欣怡梓轩俊杰雨萱晓东成林淑珍玉兰凤英永红家豪诗琪思远佳怡文博天佑秋菊冬梅长富仕学"
)
RARE_GIVEN = "喆堃珺昇燊玥翀犇淼焱"

# Area codes: mostly the office's county (南充市顺庆区) and its neighbours, a few from afar.
AREA_CODES = (
    ("511302", 40), ("511303", 10), ("511304", 8), ("511321", 6), ("511322", 4),
    ("511323", 4), ("511324", 3), ("511325", 4), ("511381", 4), ("510113", 2),
    ("510104", 2), ("500101", 2), ("110105", 1), ("440305", 1),
)
STREETS = ("中城街道", "北城街道", "西城街道", "东南街道", "舞凤街道", "华凤街道", "和平路街道",
           "新建街道", "潆溪街道", "荆溪街道", "北干道街道", "正阳街道")
ROADS = ("人民中路", "五星花园", "模范街", "北湖路", "涪江路", "延安路", "文化路", "滨江中路",
         "玉带中路", "顺庆路", "南门坝", "西华路", "将军路", "果城路", "白土坝路")
VILLAGES = ("石庙村", "复兴村", "龙门村", "团结村", "双桥村", "金台村", "桂花村", "新华村")
ESTATES = ("阳光花园", "锦绣华庭", "滨江名都", "南湖小区", "丝绸厂宿舍", "北湖春天", "天来城",
           "果城里小区", "蓝润时代", "凤凰家园")
COMPANIES = ("南充宏达建筑劳务有限公司", "四川锦程建设工程有限公司", "顺庆区鑫盛装饰工程部",
             "南充市佳和物业服务有限公司", "南充川北丝绸有限公司", "顺庆区永丰食品厂",
             "南充嘉禾商贸有限公司", "四川蜀南路桥工程有限公司")
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                   "152", "155", "157", "158", "159", "166", "173", "177", "180", "181", "182",
                   "183", "186", "187", "189", "191", "199")
CLERKS = ("张丽", "王建国", "刘珺", "陈晓东")
APPROVERS = ("李主任", "周副局长", "何局长")
STREET_UNITS = tuple(f"{s}办事处" for s in STREETS[:6])

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


class _People:
    """Invents people; keeps ID numbers unique."""

    def __init__(self, rng: random.Random, today: dt.date):
        self.rng, self.today = rng, today
        self.used_ids: set[str] = set()

    def name(self) -> str:
        rng = self.rng
        surname = rng.choice(COMPOUND_SURNAMES) if rng.random() < 0.01 else rng.choice(SURNAMES)
        n = 1 if rng.random() < 0.3 else 2
        chars = [rng.choice(GIVEN) for _ in range(n)]
        if rng.random() < 0.03:
            chars[-1] = rng.choice(RARE_GIVEN)
        return surname + "".join(chars)

    def id_number(self) -> str:
        rng = self.rng
        while True:
            area = _weighted(rng, AREA_CODES)
            birth = dt.date(1938, 1, 1) + dt.timedelta(days=rng.randrange(365 * 66))
            if birth > self.today - dt.timedelta(days=365 * 18):
                continue
            first17 = f"{area}{birth:%Y%m%d}{rng.randrange(1000):03d}"
            number = first17 + id_check_char(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10 ** 8):08d}"

    def landline(self) -> str:
        return f"0817-{self.rng.choice('2345678')}{self.rng.randrange(10 ** 6):06d}"

    def address(self) -> str:
        rng = self.rng
        if rng.random() < 0.25:
            return f"四川省南充市顺庆区{rng.choice(STREETS)}{rng.choice(VILLAGES)}{rng.randint(1, 9)}组" \
                   f"{rng.randint(1, 60)}号"
        if rng.random() < 0.5:
            return (f"四川省南充市顺庆区{rng.choice(STREETS)}{rng.choice(ESTATES)}"
                    f"{rng.randint(1, 24)}栋{rng.randint(1, 3)}单元{rng.randint(1, 30)}"
                    f"{rng.randint(1, 4):02d}号")
        return f"四川省南充市顺庆区{rng.choice(STREETS)}{rng.choice(ROADS)}{rng.randint(1, 300)}号"

    def person(self, *, with_id: bool = True, representative: bool = False) -> PetitionerInput:
        rng = self.rng
        r = rng.random()
        phone = self.mobile() if r < 0.8 else self.landline() if r < 0.95 else ""
        alt = self.mobile() if phone and rng.random() < 0.08 else ""
        if alt == phone:
            alt = ""
        return PetitionerInput(
            name=self.name(), id_number=self.id_number() if with_id else "", phone=phone,
            phone_alt=alt, address=self.address() if rng.random() < 0.93 else "",
            is_representative=representative)


# --------------------------------------------------------------------------- matter texts


@dataclass(frozen=True)
class Template:
    field: str
    category: str
    summary: tuple[str, ...]
    request: tuple[str, ...]
    facts: tuple[str, ...]
    reasons: tuple[str, ...]
    group: bool = False  # plausible as a group visit
    unit: str = ""  # "" = the field's default unit


T = Template
TEMPLATES: tuple[Template, ...] = (
    T("劳动社保/劳动报酬", "申诉求决",
      ("反映{company}拖欠{n}名工人工资共计{amount}万元", "反映{company}拖欠其本人工资{small}元未付",
       "反映{estate}项目包工头拖欠农民工工资"),
      ("请求督促{company}尽快足额支付拖欠的工资", "要求相关部门帮助追讨欠薪，年底前结清"),
      ("信访人称其于{year}年{month}月起在{company}承建的{estate}项目务工，工程完工后公司以"
       "甲方未拨款为由拖欠工资，多次讨要未果。", "信访人称其在{company}工作{k}个月，公司以经营困难"
       "为由停发工资，至今欠薪{small}元，有考勤记录和工资条为证。"),
      ("拖欠劳动报酬违反《保障农民工工资支付条例》，信访人生活困难。", "多次协商无果，公司负责人避而不见。"),
      group=True),
    T("城乡建设/房屋征收拆迁", "申诉求决",
      ("反映{street}旧城改造项目房屋征收补偿标准过低", "反映房屋被拆除后过渡安置费未按时发放",
       "对{estate}片区征收评估结果有异议"),
      ("请求重新评估并按市场价补偿", "要求按协议按时发放过渡安置费", "要求公开征收补偿方案和评估报告"),
      ("信访人称其位于{street}{road}的住房于{year}年被纳入征收范围，评估单价明显低于周边同类房屋。",
       "信访人称签订安置协议后已搬离原住房{k}个月，过渡费自{month}月起停发。"),
      ("补偿标准低于同地段商品房价格，无法购置同等住房。", "征收部门未履行协议约定。"),
      group=True),
    T("环境保护/噪声污染", "申诉求决",
      ("反映{road}一烧烤店夜间噪音扰民", "反映{estate}旁建筑工地夜间违规施工噪音扰民",
       "反映广场舞音响音量过大影响休息"),
      ("请求依法查处，禁止夜间施工", "要求商户整改，晚上十点后停止营业外摆"),
      ("信访人称每晚十点至凌晨两点噪音持续不断，家中老人和学生无法休息，多次拨打热线未解决。",
       "信访人称工地自{month}月起夜间连续施工，未见公示夜间施工许可。"),
      ("严重影响周边居民正常生活。",)),
    T("民政/社会救助", "申诉求决",
      ("申请办理最低生活保障", "反映其低保被取消不合理", "申请临时救助"),
      ("请求将其家庭纳入低保", "要求恢复低保待遇", "请求给予临时救助以渡过难关"),
      ("信访人称其丈夫因病去世，本人患有慢性病无劳动能力，子女在读，家庭人均收入低于当地低保标准。",
       "信访人称其低保于{year}年{month}月被取消，社区称家中有车辆，实为亲属借用登记。"),
      ("家庭确实困难，符合低保条件。", "取消低保前未入户核实。")),
    T("城乡建设/物业管理", "申诉求决",
      ("反映{estate}物业维修基金使用不公开", "反映{estate}电梯长期故障无人维修",
       "反映物业公司擅自提高物业费"),
      ("要求公开维修基金使用明细", "请求督促物业尽快维修电梯", "要求物业公司按合同收费"),
      ("信访人称小区{k}号楼电梯自{month}月起多次困人，物业称需动用维修基金，但业委会迟迟未表决。",
       "信访人称物业公司未经业主大会同意将物业费由每平方米1.2元上调至1.8元。"),
      ("维修基金属全体业主所有，使用应当公开。", "物业公司违反物业服务合同约定。"),
      group=True),
    T("劳动社保/社会保险", "申诉求决",
      ("反映原单位未为其足额缴纳养老保险", "咨询并申请补缴中断的养老保险"),
      ("请求责令原单位补缴社会保险", "要求核实缴费年限"),
      ("信访人称其{year}年至今在{company}工作，单位只按最低基数缴纳社保，部分年份未缴。",),
      ("影响其退休后养老金待遇。",)),
    T("农村农业/土地承包", "申诉求决",
      ("反映{village}土地承包经营权被他人占用", "反映土地流转租金未按时支付"),
      ("请求确认其承包经营权并返还土地", "要求村委会督促承租方支付流转费"),
      ("信访人称其家庭承包的{k}亩耕地于{year}年被同组村民占用种植，村组调解未果。",
       "信访人称{village}{k}组土地流转给合作社后，{year}年租金至今未付。"),
      ("有土地承包经营权证为据。",)),
    T("农村农业/宅基地", "申诉求决",
      ("反映邻居建房侵占其宅基地", "申请办理宅基地建房审批"),
      ("请求依法处理，恢复原状", "要求尽快审批建房申请"),
      ("信访人称邻居在{village}新建住房时越界约{k}米，占用其宅基地。",),
      ("侵害其合法权益。",)),
    T("教育卫生/医疗纠纷", "申诉求决",
      ("反映其家属在某医院治疗过程中存在过错", "对医院收费有异议"),
      ("请求调查医疗过程并依法处理", "要求退还多收费用"),
      ("信访人称其母亲于{year}年{month}月在某医院住院期间病情加重，认为医院未及时处置。",
       "信访人称住院清单中多项检查未实际进行。"),
      ("医院存在过错，应承担责任。",)),
    T("市场监管/消费维权", "申诉求决",
      ("反映{road}一健身房倒闭预付卡无法退费", "反映购买的电动车存在质量问题商家拒绝退换"),
      ("要求督促商家退还预付款", "请求依法处理，退货退款"),
      ("信访人称其于{year}年{month}月办理会员卡充值{small}元，现门店关闭，负责人失联。",),
      ("商家违反《消费者权益保护法》。",), group=True),
    T("城乡建设/住房保障", "申诉求决",
      ("申请公共租赁住房", "反映公租房分配不公"),
      ("请求尽快安排公租房", "要求公开公租房分配结果"),
      ("信访人称其于{year}年提交公租房申请，一直在轮候，家中{k}口人租住在不足三十平方米的房屋。",),
      ("符合住房保障条件。",)),
    T("企业改制/职工安置", "申诉求决",
      ("反映原川北丝绸厂改制时职工安置费未落实", "反映企业改制后工龄买断补偿偏低"),
      ("请求落实改制职工安置政策", "要求按政策重新核算补偿"),
      ("信访人称其原系国有企业职工，{year}年企业改制时被买断工龄，至今未办理社保接续。",),
      ("改制遗留问题长期未解决。",), group=True),
    T("交通运输/道路交通", "申诉求决",
      ("反映{road}路面破损严重存在安全隐患", "反映{village}通村公路年久失修"),
      ("请求尽快维修道路", "要求设置警示标志并维修"),
      ("信访人称该路段坑洼路段长约{k}百米，雨天积水，已发生多起摔伤事故。",),
      ("危及群众出行安全。",)),
    T("环境保护/大气污染", "申诉求决",
      ("反映{road}餐饮店油烟直排扰民", "反映{village}附近砖厂粉尘污染"),
      ("请求责令安装油烟净化设施", "要求查处污染企业"),
      ("信访人称楼下餐馆油烟未经处理直接排入小区，夏季无法开窗。",),
      ("违反大气污染防治相关规定。",)),
    T("涉法涉诉/诉讼", "申诉求决",
      ("对法院民事判决不服", "反映一起借款纠纷判决后长期未执行"),
      ("请求重新审理", "要求督促法院强制执行"),
      ("信访人称其与他人借款纠纷一案已于{year}年判决，被执行人至今未履行。",),
      ("判决认定事实不清。",)),
    # 咨询
    T("劳动社保/退休待遇", "咨询",
      ("咨询退休待遇计算办法", "咨询灵活就业人员养老保险缴费政策"),
      ("询问其退休后养老金如何计算", "询问补缴政策和办理地点"), ("",), ("",)),
    T("民政/社会救助", "咨询",
      ("咨询低保申请条件", "咨询残疾人两项补贴办理流程"),
      ("询问低保申请需要哪些材料", "询问补贴标准和申请地点"), ("",), ("",)),
    T("国土资源/不动产登记", "咨询",
      ("咨询不动产权证办理进度", "咨询继承房屋过户手续"),
      ("询问办证所需材料和时限", "询问继承过户流程"), ("",), ("",)),
    T("教育卫生/医疗保障", "咨询",
      ("咨询医保异地就医报销比例", "咨询城乡居民医保缴费时间"),
      ("询问异地就医备案和报销办法", "询问缴费标准和方式"), ("",), ("",)),
    T("城乡建设/住房保障", "咨询",
      ("咨询公租房申请条件",), ("询问申请条件和轮候时间",), ("",), ("",)),
    # 建议意见
    T("政务服务/办事效率", "建议意见",
      ("建议政务服务中心午间延时办理", "建议推行社保业务一窗通办"),
      ("建议中午12点至14点安排窗口轮班", "建议整合窗口减少群众跑腿"),
      ("信访人称上班族只能利用午休时间办事，但窗口午间关闭。",), ("",)),
    T("交通运输/公共交通", "建议意见",
      ("建议增设至{street}的公交线路", "建议延长夜间公交运营时间"),
      ("建议新开或调整公交线路", "建议末班车延至22:30"),
      ("信访人称{street}新建小区入住率高，最近公交站点步行需二十分钟。",), ("",)),
    T("城乡建设/城市管理", "建议意见",
      ("建议老旧小区加装电梯", "建议在{road}增设停车位和红绿灯"),
      ("建议出台加装电梯补贴政策", "建议优化交通设施"),
      ("信访人称{estate}为上世纪九十年代建成的老旧小区，住户多为老年人。",), ("",)),
    # 检举控告
    T("纪检监察/违纪违法", "检举控告",
      ("举报{village}村干部在低保评定中优亲厚友", "举报某单位工作人员办事吃拿卡要"),
      ("请求调查处理", "要求严肃查处"),
      ("信访人称{village}村委会主任将其亲属纳入低保，而真正困难户未能享受。",
       "信访人称办理营业执照时经办人员暗示需要“意思意思”。"),
      ("违反廉洁纪律。",), unit="纪委监委"),
    T("纪检监察/作风问题", "检举控告",
      ("举报某站所工作人员上班时间打牌",), ("要求查处",),
      ("信访人称多次在工作日下午见到该站所工作人员在茶楼打牌。",), ("",), unit="纪委监委"),
    T("城乡建设/城市管理", "检举控告",
      ("举报{estate}楼顶违章搭建", "举报{road}商户占道经营"),
      ("请求依法拆除违建", "要求执法部门查处"),
      ("信访人称{estate}{k}栋顶楼住户搭建阳光房约五十平方米，存在安全隐患。",),
      ("违反城乡规划法。",)),
    T("环境保护/水污染", "检举控告",
      ("举报{village}养殖场污水直排河道",), ("请求查处并整改",),
      ("信访人称该养殖场夜间将污水直接排入西河支流，河水发黑发臭。",), ("危害群众健康。",)),
    # 其他
    T("其他", "其他",
      ("反映小区周边流浪犬伤人问题", "对社区工作人员热情服务表示感谢"),
      ("请求有关部门处理", "希望予以表扬"),
      ("信访人称近期小区周边多次出现流浪犬追咬行人。",), ("",)),
)

REJECT_REASONS = (
    ("已经或者依法应当通过诉讼途径解决，依照《信访工作条例》第三十一条，不予受理", "顺庆区人民法院"),
    ("属于劳动争议仲裁范围，依照《信访工作条例》第三十一条，不予受理", "顺庆区劳动人事争议仲裁委员会"),
    ("已经复核答复，同一事实和理由，依照《信访工作条例》第三十六条不再受理", "无"),
)
GUIDE_BODIES = ("顺庆区人民法院", "顺庆区劳动人事争议仲裁委员会", "顺庆区人民政府（行政复议）",
                "南充市中级人民法院", "顺庆区公共法律服务中心")
SPOT_ANSWERS = ("已向信访人解释相关政策规定，并告知办理地点、所需材料和办理时限。",
                "已当场查询并告知办理进度，信访人表示理解。",
                "已依据统一口径当场答复，并提供政策文件复印件。")
UNSATISFIED = ("认为处理结果未解决实际问题", "对补偿金额仍有异议", "认为承办单位敷衍了事",
               "未见整改效果")
FEEDBACK_NOTES = ("承办单位报送办结报告：经调查核实，已责令整改到位。",
                  "承办单位反馈：已约谈相关责任人，问题已解决。",
                  "承办单位反馈：经核查情况部分属实，已依法处理。",
                  "承办单位反馈：诉求于法无据，已向信访人解释说明。")
CHASE_NOTES = ("电话催办，承办单位称正在调查核实。", "发催办函，要求按期报送办理结果。",
               "现场督办，承办单位承诺一周内反馈。")
VISIT_NOTES = ("信访人再次来访，询问办理进度。", "信访人再次来电询问办理情况。",
               "信访人就同一事项再次来访，情绪较激动，已做解释安抚。")

CHANNEL_WEIGHTS = (("来访", 36), ("来信", 14), ("来电", 15), ("网上", 18), ("传真", 2),
                   ("领导信箱", 5), ("上级转送", 6), ("上级交办", 3), ("其他", 1))
CATEGORY_WEIGHTS = (("申诉求决", 52), ("咨询", 20), ("建议意见", 13), ("检举控告", 10),
                    ("其他", 5))


# --------------------------------------------------------------------------- report


@dataclass
class DemoReport:
    cases: int = 0
    events: int = 0
    petitioners: int = 0
    group_visits: int = 0
    repeat_visits: int = 0
    repeat_cases: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    events_by_type: dict[str, int] = field(default_factory=dict)
    warnings: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"{self.cases} 件事项（集体访 {self.group_visits} 件，重复来访 {self.repeat_visits} 次），"
                f"{self.events} 条办理记录，{self.petitioners} 位信访人，用时 {self.seconds:.1f} 秒")


class _Stop(Exception):
    """The next event would fall after `today`: the case stays where it is."""


@dataclass
class _Spec:
    data: CaseInput
    events: list[EventData]
    seq: int
    template: Template


# --------------------------------------------------------------------------- generator


class _Generator:
    def __init__(self, rng: random.Random, today: dt.date, rules, field_units: dict[str, str],
                 used_codes: set[str]):
        self.rng, self.today, self.rules = rng, today, rules
        self.people = _People(rng, today)
        self.field_units = field_units
        self.used_codes = used_codes
        self.ref_seq = Counter()
        self.by_category: dict[str, list[Template]] = {}
        for t in TEMPLATES:
            if t.field.split("/")[0] in field_units or t.field in field_units:
                self.by_category.setdefault(t.category, []).append(t)

    # ---- small pieces

    def query_code(self) -> str:
        while True:
            code = "".join(self.rng.choice(QUERY_ALPHABET) for _ in range(QUERY_CODE_LENGTH))
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code

    def fill(self, text: str, received: dt.date) -> str:
        rng = self.rng
        return text.format(
            company=rng.choice(COMPANIES), n=rng.randint(5, 80), amount=rng.randint(3, 120),
            small=rng.randrange(3000, 60000, 100), estate=rng.choice(ESTATES),
            street=rng.choice(STREETS), road=rng.choice(ROADS), village=rng.choice(VILLAGES),
            year=received.year - rng.randint(0, 3), month=rng.randint(1, 12), k=rng.randint(2, 9))

    def ref(self, kind: str, year: int) -> str:
        self.ref_seq[(kind, year)] += 1
        return f"{kind}〔{year}〕{self.ref_seq[(kind, year)]}号"

    def days(self, a: int, b: int) -> dt.timedelta:
        return dt.timedelta(days=self.rng.randint(a, b))

    # ---- one case

    def case(self, seq: int, received: dt.date, repeat_of: _Spec | None) -> _Spec:
        rng = self.rng
        if repeat_of is not None:
            template = repeat_of.template
            category = repeat_of.data.category
            channel = _weighted(rng, (("来访", 70), ("来信", 15), ("来电", 15)))
            if (repeat_of.data.people_count or 1) > 1:
                channel = "来访"  # a group comes back in person
        else:
            channel = _weighted(rng, CHANNEL_WEIGHTS)
            category = _weighted(rng, CATEGORY_WEIGHTS)
            template = rng.choice(self.by_category[category])
        if channel == "来访" and received.weekday() >= 5:
            received -= dt.timedelta(days=received.weekday() - 4)  # the desk is open Mon-Fri

        # Petitioners
        group = (channel == "来访" and template.group and repeat_of is None and rng.random() < 0.22)
        people_count = reps_present = None
        if repeat_of is not None:
            petitioners = [replace(p) for p in repeat_of.data.petitioners]
            people_count = repeat_of.data.people_count
            reps_present = repeat_of.data.reps_present
        elif group:
            n_reps = rng.randint(6, 7) if rng.random() < 0.08 else rng.randint(1, 5)
            petitioners = [self.people.person(representative=True) for _ in range(n_reps)]
            people_count = max(n_reps, rng.randint(5, 60))
            reps_present = n_reps
        elif category == v.ACCUSATION and channel in ("网上", "来信", "领导信箱") and rng.random() < 0.3:
            petitioners = [PetitionerInput(name="匿名", phone=self.people.mobile()
                                           if rng.random() < 0.5 else "")]
        elif rng.random() < 0.015:
            petitioners = [PetitionerInput(
                name=f"{rng.choice(ESTATES)}业主委员会", kind="单位", phone=self.people.landline(),
                address=self.people.address())]
        elif rng.random() < 0.01:
            p = self.people.person(with_id=False)
            petitioners = [replace(p, doc_type="其他证件",
                                   id_number=f"H{rng.randrange(10 ** 8):08d}")]
        else:
            with_id = channel in ("来访", "上级转送", "上级交办") or rng.random() < 0.5
            petitioners = [self.people.person(with_id=with_id)]
            if rng.random() < 0.05:
                petitioners.append(self.people.person(with_id=with_id))

        # Variants are written in parallel: the i-th summary goes with the i-th request/facts.
        i = rng.randrange(len(template.summary))

        def pick(options: tuple[str, ...]) -> str:
            return self.fill(options[min(i, len(options) - 1)], received)

        summary = pick(template.summary)
        if repeat_of is not None:
            summary = ("再次反映" + summary[2:] if summary.startswith("反映") else "再次反映：" + summary)[:200]
        request, facts, reasons = pick(template.request), pick(template.facts), pick(template.reasons)
        if category in ("申诉求决", "检举控告") and not facts:
            facts = "信访人口述情况如上。"

        disposition = self.disposition(category, template)
        if disposition == "当场答复" and channel not in ("来访", "来电", "领导信箱"):
            disposition = "受理"  # a letter or web message is answered in writing
        unit = ""
        if disposition in ("转送", "交办"):
            unit = template.unit or self.field_units.get(template.field) or \
                self.field_units.get(template.field.split("/")[0]) or rng.choice(STREET_UNITS)
            if rng.random() < 0.12 and template.category != v.ACCUSATION:
                unit = rng.choice(STREET_UNITS)
        answer = rng.choice(SPOT_ANSWERS) if disposition == "当场答复" else ""
        reject_reason = approach = ""
        if disposition == "不予受理":
            reject_reason, approach = rng.choice(REJECT_REASONS)
        elif disposition == "引导":
            approach = rng.choice(GUIDE_BODIES)
        accepted_on = None
        if disposition in ("受理", "建议记录") and channel not in ("来访", "来电"):
            accepted_on = min(received + self.days(0, 5), self.today)
        channel_ref = ""
        if channel in v.FORWARDED_TO_US:
            channel_ref = self.ref("南市信转" if channel == "上级转送" else "南市信交", received.year)
        promised = None
        if disposition in ("受理", "转送", "交办", "建议记录") and rng.random() < 0.6:
            start = accepted_on or received
            promised = self.rules.add(start, 60).due
            if rng.random() < 0.2:
                promised = start + self.days(30, 50)  # a nearer date agreed with the visitor
        confidential = True if (template.field == "教育卫生/医疗纠纷" and rng.random() < 0.3) else None

        data = CaseInput(
            received_on=received, channel=channel, category=category, summary=summary,
            request=request, petitioners=petitioners, disposition=disposition, facts=facts,
            reasons=reasons, field=template.field, channel_ref=channel_ref,
            people_count=people_count, reps_present=reps_present, unit=unit,
            answer_given=answer, reject_reason=reject_reason, approach_body=approach,
            accepted_on=accepted_on, promised_reply_on=promised, confidential=confidential,
            clerk=rng.choice(CLERKS), query_code=self.query_code(),
        )
        events: list[EventData] = []
        try:
            self.lifecycle(data, events)
        except _Stop:
            pass
        return _Spec(data=data, events=events, seq=seq, template=template)

    def disposition(self, category: str, template: Template) -> str:
        rng = self.rng
        if template.field.startswith("涉法涉诉"):
            return _weighted(rng, (("引导", 60), ("不予受理", 25), ("当场答复", 15)))
        if category == "咨询":
            return _weighted(rng, (("当场答复", 80), ("受理", 12), ("引导", 8)))
        if category == "建议意见":
            return _weighted(rng, (("建议记录", 70), ("转送", 20), ("当场答复", 10)))
        if category == "检举控告":
            return _weighted(rng, (("转送", 55), ("交办", 30), ("受理", 15)))
        if category == "其他":
            return _weighted(rng, (("当场答复", 60), ("受理", 40)))
        return _weighted(rng, (("受理", 32), ("转送", 25), ("交办", 15), ("当场答复", 15),
                               ("不予受理", 6), ("引导", 7)))

    # ---- what happened afterwards

    def lifecycle(self, data: CaseInput, events: list[EventData]) -> None:
        rng, today = self.rng, self.today

        def add(etype: str, on: dt.date, **kw) -> dt.date:
            if on > today:
                raise _Stop
            events.append(EventData(type=etype, on=on, **kw))
            return on

        d = data.disposition
        received = data.received_on
        if d == "当场答复":
            if rng.random() < 0.4:
                add("satisfaction", received, rating=_weighted(rng, (("满意", 70), ("基本满意", 25),
                                                                     ("未表态", 5))))
            return
        if d == "引导":
            return
        if d == "不予受理":
            if rng.random() < 0.95:
                add("notified", received + self.days(0, 12), note="送达不予受理告知书")
            return
        if d in ("受理", "建议记录"):
            start = data.accepted_on or received
            if rng.random() < 0.95:
                add("notified", start + self.days(1, 13), note="送达受理告知书")
            if rng.random() < 0.04:
                return  # handling stalls: overdue once 60 days have passed
            cur = start
            ext = 0
            if rng.random() < 0.09:
                ext = rng.choice((15, 20, 30))
                cur = add("extended", start + self.days(45, 58), days=ext,
                          reason="案情复杂，需进一步调查核实", approver=rng.choice(APPROVERS))
            reply_on = max(cur, start + self.days(12, 58 + ext))
            self.reply_and_after(data, events, add, reply_on)
            return
        # 转送 / 交办
        fwd_type = "forwarded" if d == "转送" else "assigned"
        if rng.random() < 0.02:
            return  # never forwarded: the 15-day limit runs out
        fwd_on = add(fwd_type, received + self.days(1, 12), unit=data.unit,
                     ref=self.ref("顺信转" if d == "转送" else "顺信交", received.year),
                     deadline=(received + self.days(20, 45)) if d == "交办" or rng.random() < 0.4
                     else None)
        if events[-1].deadline and events[-1].deadline < fwd_on:
            events[-1] = replace(events[-1], deadline=fwd_on + self.days(15, 30))
        if rng.random() < 0.3:
            add("chased", fwd_on + self.days(10, 25), note=rng.choice(CHASE_NOTES))
        if rng.random() < 0.05:
            add("extended", fwd_on + self.days(26, 30), days=rng.choice((15, 30)),
                reason="承办单位申请延期，需进一步调查", approver=rng.choice(APPROVERS))
        if rng.random() < 0.05:
            return  # no feedback yet (overdue once the unit's deadline passes)
        fb_on = add("feedback", max(events[-1].on, fwd_on + self.days(8, 50)),
                    note=rng.choice(FEEDBACK_NOTES))
        self.reply_and_after(data, events, add, fb_on + self.days(0, 7))

    def reply_and_after(self, data: CaseInput, events, add, reply_on: dt.date) -> None:
        rng = self.rng
        suggestion = data.category == v.SUGGESTION
        outcomes = ((("采纳", 30), ("部分采纳", 40), ("不采纳", 30)) if suggestion else
                    (("支持", 30), ("解释说明", 50), ("不予支持", 20)))
        reply_on = add("replied", reply_on, outcome=_weighted(rng, outcomes),
                       note="送达答复意见书" if not suggestion else "送达采纳情况告知书")
        rating = None
        if rng.random() < 0.75:
            rating = _weighted(rng, (("满意", 50), ("基本满意", 25), ("不满意", 12), ("未表态", 13)))
            add("satisfaction", reply_on + self.days(0, 10), rating=rating,
                reason=rng.choice(UNSATISFIED) if rating == "不满意" else "")
        reviewable = data.category in ("申诉求决", "检举控告", "其他")
        last = events[-1].on
        if reviewable and rating == "不满意" and rng.random() < 0.6:
            rq = add("review_requested", reply_on + self.days(max(5, (last - reply_on).days), 25),
                     note="信访人不服处理意见，向上一级机关申请复查")
            ra = add("review_answered", rq + self.days(10, 29),
                     outcome=_weighted(rng, (("维持", 70), ("变更", 20), ("撤销", 10))))
            if rng.random() < 0.35:
                rr = add("rereview_requested", ra + self.days(5, 25), note="信访人申请复核")
                add("rereview_answered", rr + self.days(10, 29), outcome="维持")
                return
            add("closed", ra + self.days(31, 45))
            return
        if rng.random() < 0.85:
            closed = add("closed", max(last, reply_on + self.days(31, 45) if reviewable
                                       else reply_on + self.days(0, 10)))
            if rng.random() < 0.025:
                ro = add("reopened", closed + self.days(5, 40),
                         reason="信访人反映问题未实际解决，经负责人批准重新办理")
                r2 = add("replied", ro + self.days(10, 40),
                         outcome="部分采纳" if suggestion else "支持", note="重新办理后再次答复")
                add("closed", r2 + self.days(31, 40) if reviewable else r2 + self.days(1, 5))


def _field_units() -> dict[str, str]:
    """Field path -> default unit name, for every taxonomy entry."""
    rows = list(Field.select())
    by_id = {f.id: f for f in rows}
    out = {}
    for f in rows:
        path = f"{by_id[f.parent_id].name}/{f.name}" if f.parent_id else f.name
        out[path] = f.default_unit.name if f.default_unit_id else ""
    return out


def preflight(n_cases: int, *, force: bool):
    """What every demo generator checks and reads first: a sensible count, an empty data
    directory (unless `force`), then (deadline rules, query codes in use, each field's unit)."""
    if n_cases < 1:
        raise XinfangError("演示数据的事项数量至少为1")
    with storage_errors():
        existing = Case.select().count()
        if existing and not force:
            raise XinfangError(
                f"当前数据目录已有{existing}件信访事项。演示数据只能生成到空的数据目录中，"
                "以免与真实数据混在一起；请另建一个数据目录后再生成。")
        return (current_rules(), {c for (c,) in Case.select(Case.query_code).tuples()},
                _field_units())


def generate_demo(n_cases: int = 300, seed: int = 1, today: dt.date | None = None, *,
                  force: bool = False, batch_size: int = 500,
                  progress: Callable[[int, int], None] | None = None) -> DemoReport:
    """Fill the open data directory with `n_cases` invented cases received in the year before
    `today`. Refuses a directory that already has cases unless `force`."""
    started = time.perf_counter()
    today = today or dt.date.today()
    rules, used_codes, field_units = preflight(n_cases, force=force)
    rng = random.Random(seed)
    gen = _Generator(rng, today, rules, field_units, used_codes)

    first = today - dt.timedelta(days=364)
    dates = sorted(first + dt.timedelta(days=rng.randrange(365)) for _ in range(n_cases))
    specs: list[_Spec] = []
    report = DemoReport()
    for seq, received in enumerate(dates):
        repeat_of = None
        # Earlier cases received 10 to 150 days before this one.
        lo = bisect.bisect_left(dates, received - dt.timedelta(days=150), 0, seq)
        hi = bisect.bisect_right(dates, received - dt.timedelta(days=10), 0, seq)
        if hi > lo and rng.random() < 0.08:
            candidate = specs[rng.randrange(lo, hi)]
            if candidate.data.received_on + dt.timedelta(days=10) <= received and \
                    candidate.data.petitioners[0].id_number:
                # The same person comes back about the same matter: a visit on the earlier case.
                visit = EventData(type="visit", on=received, note=rng.choice(VISIT_NOTES))
                candidate.events.append(visit)
                candidate.events.sort(key=lambda e: e.on)
                report.repeat_visits += 1
                if rng.random() < 0.4:
                    repeat_of = candidate  # ... and sometimes a new case is registered
        spec = gen.case(seq, received, repeat_of)
        if repeat_of is not None:
            report.repeat_cases += 1
        specs.append(spec)
    specs.sort(key=lambda s: (s.data.received_on, s.seq))
    for spec in specs:
        # The desk prints a receipt for many walk-ins (deterministic: the rng is untouched).
        if spec.data.channel == "来访" and spec.seq % 3 == 0:
            spec.events.insert(0, EventData(type="printed", on=spec.data.received_on, note="回执"))

    window_end = rules.window_end
    with storage_errors():
        prefix = settings.get("case_prefix")
        done = 0
        for start in range(0, len(specs), batch_size):
            with write_transaction():
                for spec in specs[start:start + batch_size]:
                    checked = case_service.check_case(spec.data, today=today)
                    saved = case_service.insert_checked(
                        checked, prefix=prefix, create_missing=True, events=spec.events,
                        window_end=window_end)
                    # As a registration at the desk would: the case's row in the audit trail,
                    # by its clerk, on its day (so the demo's trail is not empty).
                    audit.record("case_created", saved.case_no,
                                 case_service.created_details(spec.data, checked),
                                 actor=spec.data.clerk, at=dt.datetime.combine(
                                     spec.data.received_on, dt.time(8 + spec.seq % 9,
                                                                     spec.seq % 60)))
                    report.warnings += len(saved.warnings)
                    report.by_status[saved.status] = report.by_status.get(saved.status, 0) + 1
            done = min(len(specs), start + batch_size)
            if progress:
                progress(done, len(specs))

    channels, categories, etypes = Counter(), Counter(), Counter()
    for spec in specs:
        channels[spec.data.channel] += 1
        categories[spec.data.category] += 1
        etypes.update(e.type for e in spec.events)
        report.petitioners += len(spec.data.petitioners)
        if (spec.data.people_count or 1) >= 5:
            report.group_visits += 1
    report.cases = len(specs)
    report.events = sum(etypes.values())
    report.by_channel = {c: channels[c] for c in v.CHANNELS if channels[c]}
    report.by_category = {c: categories[c] for c in v.CATEGORIES if categories[c]}
    report.events_by_type = {t: etypes[t] for t in v.EVENT_TYPES if etypes[t]}
    report.seconds = round(time.perf_counter() - started, 2)
    return report
