"""Demo registry people and accounts, one family per city in DOMAIN.md. Used by `seed_demo` and the tests."""

from dataclasses import dataclass
from datetime import date

DEMO_PASSWORD = "Demo@2026"
CLERK_PASSWORD = "Clerk@2026"
ADMIN_PASSWORD = "Admin@2026"

# city key: (province code, city code, district code used in ID numbers)
CITIES = {
    "yichun": ("360000", "360900", "360902"),
    "panzhihua": ("510000", "510400", "510402"),
    "luzhou": ("510000", "510500", "510502"),
    "guigang": ("450000", "450800", "450802"),
    "hengyang": ("430000", "430400", "430405"),
    "xiangtan": ("430000", "430300", "430302"),
    "guangzhou": ("440000", "440100", "440106"),
}
CITY_NAMES = {
    "yichun": "宜春",
    "panzhihua": "攀枝花",
    "luzhou": "泸州",
    "guigang": "贵港",
    "hengyang": "衡阳",
    "xiangtan": "湘潭",
}


@dataclass(frozen=True)
class DemoPerson:
    key: str
    name: str
    city: str
    birth: date
    seq: int  # odd: male, even: female
    scheme: str  # "employee" or "resident"
    category: str = ""
    status: str = "normal"
    balance_yuan: str = "0"
    phone: str = ""
    account: bool = False
    note: str = ""
    insured_city: str = ""  # when insured somewhere else than the ID number's city


E, R = "employee", "resident"

PEOPLE = [
    # 宜春: an employed authorizer with spouse, child, parents and a sibling; a suspended and a terminated person.
    DemoPerson(
        "wang_jianguo",
        "王建国",
        "yichun",
        date(1975, 3, 12),
        11,
        E,
        "employed",
        balance_yuan="3560.00",
        phone="13900000001",
        account=True,
        note="在职职工，授权人",
    ),
    DemoPerson(
        "li_xiuying",
        "李秀英",
        "yichun",
        date(1977, 8, 20),
        22,
        R,
        phone="13900000002",
        account=True,
        note="居民医保，王建国之妻",
    ),
    DemoPerson("wang_xiaoyu", "王小宇", "yichun", date(2015, 6, 1), 31, R, note="未满16周岁，王建国之子"),
    DemoPerson(
        "wang_defu",
        "王德福",
        "yichun",
        date(1950, 1, 15),
        51,
        E,
        "retired",
        balance_yuan="8200.50",
        phone="13900000003",
        account=True,
        note="退休人员，王建国之父",
    ),
    DemoPerson("wang_jianhua", "王建华", "yichun", date(1980, 11, 3), 71, R, note="居民医保，王建国之弟"),
    DemoPerson(
        "zhao_guilan",
        "赵桂兰",
        "yichun",
        date(1952, 4, 9),
        42,
        R,
        status="suspended",
        phone="13900000004",
        account=True,
        note="参保暂停",
    ),
    DemoPerson(
        "zhou_qiang", "周强", "yichun", date(1969, 9, 9), 91, E, "employed", status="terminated", note="参保终止"
    ),
    # 攀枝花: a flexibly employed authorizer.
    DemoPerson(
        "chen_zhiqiang",
        "陈志强",
        "panzhihua",
        date(1982, 2, 28),
        13,
        E,
        "flexible",
        balance_yuan="1280.00",
        phone="13900000011",
        account=True,
        note="灵活就业人员，授权人",
    ),
    DemoPerson(
        "liu_fang",
        "刘芳",
        "panzhihua",
        date(1984, 7, 7),
        24,
        R,
        phone="13900000012",
        account=True,
        note="居民医保，陈志强之妻",
    ),
    DemoPerson("chen_si", "陈思", "panzhihua", date(2012, 12, 12), 26, R, note="未满16周岁，陈志强之女"),
    DemoPerson(
        "chen_guodong",
        "陈国栋",
        "panzhihua",
        date(1955, 5, 5),
        15,
        E,
        "retired",
        balance_yuan="5000.00",
        phone="13900000013",
        account=True,
        note="退休人员，授权人（为妻子的申请在审核队列中）",
    ),
    DemoPerson("zhou_xiulan", "周秀兰", "panzhihua", date(1957, 9, 9), 44, R, note="居民医保，陈国栋之妻"),
    # 泸州
    DemoPerson(
        "yang_fan",
        "杨帆",
        "luzhou",
        date(1979, 10, 10),
        17,
        E,
        "employed",
        balance_yuan="2100.00",
        phone="13900000021",
        account=True,
        note="在职职工，授权人",
    ),
    DemoPerson("wu_shuzhen", "吴淑珍", "luzhou", date(1953, 3, 30), 28, R, note="居民医保，杨帆之母"),
    # 贵港: siblings and grandparents allowed from 2024-09-01; a son insured in another province.
    DemoPerson(
        "huang_wei",
        "黄伟",
        "guigang",
        date(1983, 3, 3),
        19,
        E,
        "employed",
        balance_yuan="4300.00",
        phone="13900000031",
        account=True,
        note="在职职工，授权人",
    ),
    DemoPerson("huang_li", "黄丽", "guigang", date(1988, 8, 8), 28, R, note="居民医保，黄伟之妹"),
    DemoPerson("qin_yumei", "覃玉梅", "guigang", date(1940, 1, 1), 20, R, note="居民医保，黄伟之祖母"),
    DemoPerson(
        "huang_zixuan",
        "黄子轩",
        "guigang",
        date(2005, 9, 1),
        33,
        R,
        phone="13900000032",
        account=True,
        insured_city="guangzhou",
        note="在广东省参保（外省），黄伟之子",
    ),
    # 衡阳
    DemoPerson(
        "liu_yang",
        "刘洋",
        "hengyang",
        date(1978, 6, 6),
        33,
        E,
        "employed",
        balance_yuan="6600.00",
        phone="13900000041",
        account=True,
        note="在职职工，授权人",
    ),
    DemoPerson("deng_chunhua", "邓春花", "hengyang", date(1950, 2, 14), 44, R, note="居民医保，刘洋之母"),
    DemoPerson("liu_kexin", "刘可欣", "hengyang", date(2018, 5, 20), 46, R, note="未满16周岁，刘洋之女"),
    # 湘潭
    DemoPerson(
        "tan_jun",
        "谭军",
        "xiangtan",
        date(1972, 12, 1),
        35,
        E,
        "employed",
        balance_yuan="3900.00",
        phone="13900000051",
        account=True,
        note="在职职工，授权人",
    ),
    DemoPerson(
        "luo_min",
        "罗敏",
        "xiangtan",
        date(1974, 4, 4),
        48,
        R,
        phone="13900000052",
        account=True,
        note="居民医保，谭军之妻",
    ),
]
