"""Word lists for generated names: plausible, deterministic, and visibly synthetic where it matters
(every load account's real name is a common surname and given name; unit names carry a number)."""

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾"
    "夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英玉兰萍鹏华红玉梅飞鑫波斌宇浩凯健俊帆帅旭宁龙林欣"
    "佳雪琳晨阳婷慧倩颖洁琪瑶璐思雨晓文博志宏海建国振东亮成春"
)

# Departments (行业主管部门) of a county bureau; the city's 市直 departments are prefixed 济宁市.
COUNTY_DEPARTMENTS = (
    ("教育和体育局", "school"),
    ("卫生健康局", "hospital"),
    ("工业和信息化局", "enterprise"),
    ("农业农村局", "institution"),
    ("住房和城乡建设局", "institution"),
    ("交通运输局", "institution"),
    ("自然资源局", "institution"),
    ("文化和旅游局", "institution"),
)
CITY_DEPARTMENTS = (
    ("教育局", "school"),
    ("卫生健康委员会", "hospital"),
    ("工业和信息化局", "enterprise"),
    ("科学技术局", "institution"),
    ("农业农村局", "institution"),
    ("住房和城乡建设局", "institution"),
    ("交通运输局", "institution"),
    ("水务局", "institution"),
    ("自然资源和规划局", "institution"),
    ("生态环境局", "institution"),
    ("财政局", "institution"),
    ("文化和旅游局", "institution"),
)
UNIT_NAME_PATTERNS = {
    "school": ("第{n}中学", "第{n}实验小学", "第{n}小学", "职业中专{n}校区"),
    "hospital": ("第{n}人民医院", "中医院{n}院区", "第{n}社区卫生服务中心", "妇幼保健院{n}分院"),
    "enterprise": ("{n}号机械制造有限公司", "{n}号电子科技有限公司", "{n}号化工有限公司", "{n}号建设集团"),
    "institution": ("第{n}事业服务中心", "第{n}检验检测所", "第{n}设计研究院", "第{n}技术推广站"),
}
# Enterprises straight under a bureau (no supervising department).
PRIVATE_PATTERNS = (
    "{n}号智能科技有限公司",
    "{n}号新材料有限公司",
    "{n}号信息技术有限公司",
    "{n}号食品有限公司",
)

TITLE_SERIES = {
    "school": ("中小学教师",),
    "hospital": ("卫生技术",),
    "enterprise": ("工程技术", "经济"),
    "institution": ("工程技术", "农业技术", "经济", "会计"),
}
SPECIALTIES = (
    "数学",
    "语文",
    "临床医学",
    "护理",
    "机械工程",
    "电气工程",
    "软件工程",
    "会计",
    "农学",
    "土木工程",
)
