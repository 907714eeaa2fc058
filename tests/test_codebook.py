"""Tests of data/codebook.yml (gazetteer content), the loader and the gazetteer matcher."""

from __future__ import annotations

import itertools
import os
from collections import Counter
from pathlib import Path

import pytest

from analysis.coding.codebook import Codebook, load_codebook
from analysis.coding.gazetteer import Gazetteer, load_gazetteer
from analysis.common import paths
from analysis.common.errors import InputError

REAL_TEXT = paths.CODEBOOK.read_text(encoding="utf-8")
# The gazetteer part of the real codebook (everything before the coding rules).
GAZETTEER_TEXT = REAL_TEXT[: REAL_TEXT.index("\ndomains:") + 1]


@pytest.fixture(scope="module")
def codebook() -> Codebook:
    return load_codebook()


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "codebook.yml"
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str) -> str:
    with pytest.raises(InputError) as info:
        load_codebook(write(tmp_path, text))
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(tmp_path / "codebook.yml") + ": ")
    return message


def replace_once(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# --- content -------------------------------------------------------------------------------


def test_all_34_provincial_divisions(codebook: Codebook) -> None:
    assert len(codebook.provinces) == 34
    codes = {p.short: p.code for p in codebook.provinces}
    assert codes["上海"] == "310000"
    assert codes["内蒙古"] == "150000"
    assert codes["新疆"] == "650000"
    assert codes["北京"] == "110000"
    assert codes["广东"] == "440000"
    assert codes["台湾"] == "710000"
    assert codes["香港"] == "810000"
    assert codes["澳门"] == "820000"
    english = {p.short: p.en for p in codebook.provinces}
    assert english["内蒙古"] == "Inner Mongolia"
    assert english["西藏"] == "Tibet"
    assert english["陕西"] == "Shaanxi"
    assert english["山西"] == "Shanxi"
    assert english["澳门"] == "Macao"
    types = Counter(p.type for p in codebook.provinces)
    assert types == {"province": 23, "municipality": 4, "autonomous_region": 5, "sar": 2}


def test_prefecture_level_divisions(codebook: Codebook) -> None:
    prefectures = [p for p in codebook.places if p.is_prefecture_level]
    assert len(prefectures) == 333
    kinds = Counter(
        next((s for s in ("自治州", "地区", "盟") if p.full.endswith(s)), "市") for p in prefectures
    )
    assert kinds == {"市": 293, "自治州": 30, "地区": 7, "盟": 3}
    sub_provincial = {p.name for p in codebook.places if p.level == "sub_provincial"}
    assert sub_provincial == set(
        "沈阳 大连 长春 哈尔滨 南京 杭州 宁波 厦门 济南 青岛 武汉 广州 深圳 成都 西安".split()
    )


@pytest.mark.parametrize(
    ("short", "count"),
    [
        ("江苏", 13),
        ("浙江", 11),
        ("广东", 21),
        ("山东", 16),
        ("河北", 11),
        ("安徽", 16),
        ("河南", 17),
        ("四川", 21),
        ("海南", 4),
        ("宁夏", 5),
        ("上海", 0),
    ],
)
def test_prefecture_count_per_province(gaz: Gazetteer, short: str, count: int) -> None:
    province = gaz.by_short(short)
    assert province is not None
    assert len(gaz.prefecture_level(province.code)) == count


def test_new_areas_and_zones(gaz: Gazetteer) -> None:
    new_areas = {p.name for p in gaz.codebook.places if p.level == "new_area"}
    assert len(new_areas) == 19
    for name, code in [
        ("浦东", "310000"),
        ("滨海新区", "120000"),
        ("两江新区", "500000"),
        ("雄安", "130000"),
        ("南沙", "440000"),
        ("西咸", "610000"),
        ("贵安", "520000"),
        ("天府新区", "510000"),
        ("临港新片区", "310000"),
        ("前海", "440000"),
        ("横琴", "440000"),
        ("洋浦", "460000"),
        ("虹桥", "310000"),
        ("苏州工业园区", "320000"),
        ("张江", "310000"),
    ]:
        place = gaz.place(name)
        assert place is not None, name
        assert place.province == code, name


# --- lookups and matching ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [("苏州", "320000"), ("济南", "370000"), ("深圳", "440000"), ("临港新片区", "310000")],
)
def test_place_to_province(gaz: Gazetteer, text: str, code: str) -> None:
    (match,) = gaz.find(text)
    assert match.province_code == code
    assert (match.start, match.end) == (0, len(text))


def test_lookups(gaz: Gazetteer) -> None:
    assert gaz.province("310000").short == "上海"
    assert gaz.by_short("江苏").code == "320000"
    assert gaz.by_short("江苏省").code == "320000"
    assert gaz.by_short("苏州") is None
    assert gaz.by_abbreviation("沪").code == "310000"
    assert gaz.by_abbreviation("蜀").code == "510000"
    assert gaz.group("长三角") == ("310000", "320000", "330000", "340000")
    with pytest.raises(KeyError):
        gaz.province("999999")


def test_longest_match_ftz_area(gaz: Gazetteer) -> None:
    matches = gaz.find("智能投研技术联盟在上海自贸区临港新片区揭牌成立")
    assert [(m.name, m.province_code, m.level) for m in matches] == [
        ("上海", "310000", "province"),
        ("临港新片区", "310000", "ftz_area"),
    ]
    text = "智能投研技术联盟在上海自贸区临港新片区揭牌成立"
    assert [text[m.start : m.end] for m in matches] == ["上海", "临港新片区"]


def test_full_names_and_suffixes(gaz: Gazetteer) -> None:
    (match,) = gaz.find("江苏省文化和旅游厅")
    assert (match.name, match.level, match.end) == ("江苏", "province", 3)
    assert [m.name for m in gaz.find("苏州市和苏州工业园区")] == ["苏州", "苏州工业园区"]
    assert [m.name for m in gaz.find("吉林省吉林市")] == ["吉林", "吉林市"]
    assert [m.name for m in gaz.find("延边州与延边朝鲜族自治州")] == ["延边", "延边"]
    assert [m.name for m in gaz.find("上海市浦东新区")] == ["上海", "浦东"]
    assert [m.name for m in gaz.find("广西壮族自治区南宁市")] == ["广西", "南宁"]


def test_ordinary_words_are_not_places(gaz: Gazetteer) -> None:
    assert gaz.find("欢迎与会来宾") == []
    assert [m.name for m in gaz.find("来宾市")] == ["来宾"]
    assert gaz.find("阿里巴巴与阿里云") == []
    assert gaz.find("大兴调查研究之风") == []
    assert [m.name for m in gaz.find("北京市大兴区")] == ["北京", "大兴"]


def test_ambiguous_names_are_flagged(gaz: Gazetteer) -> None:
    for name in ("中山", "朝阳", "通州", "朝阳区"):
        place = gaz.place(name)
        assert place is not None and place.ambiguous, name
    assert gaz.place("朝阳").province == "210000"  # prefecture-level meaning kept
    (match,) = gaz.find("中山市")
    assert match.ambiguous
    assert gaz.province_codes("中山路上海", include_ambiguous=False) == ["310000"]


def test_platforms_and_groups(gaz: Gazetteer) -> None:
    (match,) = gaz.find("通过随申办一网通办")
    assert (match.name, match.province_code, match.level) == ("随申办", "310000", "platform")
    groups = gaz.find_groups("推动长三角一体化和粤港澳大湾区建设")
    assert [(g.name, len(g.province_codes)) for g in groups] == [("长三角", 4), ("粤港澳大湾区", 3)]


def test_seed_bulletin(gaz: Gazetteer) -> None:
    text = (paths.RAW / "bulletin-2020-09.txt").read_text(encoding="utf-8")
    codes = gaz.province_codes(text)
    for short in ("上海", "江苏", "安徽", "山东", "重庆"):
        assert gaz.by_short(short).code in codes
    found = {m.name for m in gaz.find(text)}
    assert {"临港新片区", "浦东", "济南", "深圳", "苏州"} <= found
    spans = [(m.start, m.end) for m in gaz.find(text)]
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))


# --- loader --------------------------------------------------------------------------------


def test_load_is_cached_per_mtime(tmp_path: Path) -> None:
    path = write(tmp_path, REAL_TEXT)
    first = load_codebook(path)
    assert load_codebook(path) is first
    path.write_text(REAL_TEXT.replace("en: Beijing", "en: Peking"), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    second = load_codebook(path)
    assert second is not first
    assert second.province_by_code("110000").en == "Peking"


def test_rule_sections_are_required_and_validated(tmp_path: Path) -> None:
    assert ": domains: Field required" in load_error(tmp_path, GAZETTEER_TEXT)
    rules = """
domains:
  digital_government:
    {label: 数字政府, definition: d, keywords: {strong: [一网通办], weak: []}, min_score: 2}
  ftz: {label: 自贸区, definition: d, keywords: {strong: [自贸]}, min_score: 2}
  industrial: {label: 产业, definition: d, keywords: {strong: [产业]}, min_score: 2}
  other: {label: 其他, definition: d, keywords: {}, min_score: 0, fallback: true}
instruments:
  supply:
    label: 供给型
    definition: d
    tools: {talent: {label: 人才, definition: d, keywords: [人才]},
            funding: {label: a, definition: d}, technology: {label: a, definition: d},
            infrastructure: {label: a, definition: d},
            public_services: {label: a, definition: d}}
  environment:
    label: 环境型
    definition: d
    tools: {planning: {label: a, definition: d}, finance: {label: a, definition: d},
            tax: {label: a, definition: d}, regulation_standards: {label: a, definition: d},
            ip: {label: a, definition: d}, strategic_measures: {label: a, definition: d}}
  demand:
    label: 需求型
    definition: d
    tools: {procurement: {label: a, definition: d}, outsourcing: {label: a, definition: d},
            trade_control: {label: a, definition: d}, overseas: {label: a, definition: d},
            pilots_demonstration: {label: a, definition: d}}
firsts:
  national: {patterns: ['全国(首个|首家|首单)', '国内首[单个]']}
  provincial: {patterns: ['(?P<scope>\\\\w{2})首次'], scopes: [省内]}
  exclusions: ['并非全国首']
issuers:
  levels:
    central: {label: 中央, patterns: ['国务院']}
    province: {label: 省级, patterns: ['省人民政府']}
    city: {label: 市级, patterns: ['市人民政府']}
    district_zone: {label: 区级, patterns: ['区人民政府']}
"""
    full = load_codebook(write(tmp_path, GAZETTEER_TEXT + rules))
    assert set(full.domains) == {"digital_government", "ftz", "industrial", "other"}
    assert len(full.instruments["environment"].tools) == 6
    assert full.firsts.national.patterns[1] == "国内首[单个]"
    # the codebook defines the vocabularies: any ids, checked for form and consistency
    renamed = load_codebook(write(tmp_path, GAZETTEER_TEXT + rules.replace(
        "  other: {label", "  others: {label").replace("tax: {label", "taxes: {label")))
    assert "others" in renamed.domains and "taxes" in renamed.instruments["environment"].tools
    no_fallback = rules.replace(", fallback: true}", "}")
    assert ": domains: exactly one domain must have fallback: true" in load_error(
        tmp_path, GAZETTEER_TEXT + no_fallback)
    two = rules.replace("min_score: 2}\n  industrial",
                        "min_score: 2, fallback: true}\n  industrial")
    assert "found 2" in load_error(tmp_path, GAZETTEER_TEXT + two)
    bad_id = rules.replace("  ftz: {label", "  Free-Trade: {label")
    assert ": domains: id 'Free-Trade' must be lower-case ASCII" in load_error(
        tmp_path, GAZETTEER_TEXT + bad_id)
    no_words = rules.replace("keywords: {strong: [产业]}", "keywords: {}")
    assert ": domains.industrial.keywords: a domain needs keywords" in load_error(
        tmp_path, GAZETTEER_TEXT + no_words)
    twice = rules.replace("tax: {label", "talent: {label")
    assert ": instruments.environment.tools.talent: tool id already used in supply" in \
        load_error(tmp_path, GAZETTEER_TEXT + twice)
    bad_regex = rules.replace("'国内首[单个]'", "'国内首[单个'")
    message = load_error(tmp_path, GAZETTEER_TEXT + bad_regex)
    assert ": firsts.national.patterns[1]: bad regular expression '国内首[单个'" in message
    bad_issuer = rules.replace("'区人民政府'", "'(区'")
    assert ": issuers.levels.district_zone.patterns[0]: bad regular expression" in load_error(
        tmp_path, GAZETTEER_TEXT + bad_issuer
    )


def test_bad_province_code(tmp_path: Path) -> None:
    text = replace_once(REAL_TEXT, 'code: "320000"', 'code: "3200"')
    message = load_error(tmp_path, text)
    assert message.endswith(": provinces[9].code: '3200' is not a 6-digit GB/T 2260 code")
    text = replace_once(REAL_TEXT, 'code: "320000"', 'code: "320500"')
    assert ": provinces[9].code: '320500' is not a provincial-level code" in load_error(
        tmp_path, text
    )


def test_unknown_province_reference(tmp_path: Path) -> None:
    text = replace_once(REAL_TEXT, 'province: "130000"', 'province: "999999"')
    first = next(i for i, p in enumerate(load_codebook().places) if p.province == "130000")
    message = load_error(tmp_path, text)
    assert message.endswith(f": places[{first}].province: unknown province code '999999'")
    text = replace_once(REAL_TEXT, '随申办: "310000"', '随申办: "990000"')
    assert ": platform_aliases.随申办: unknown province code '990000'" in load_error(tmp_path, text)


def test_duplicate_names(tmp_path: Path) -> None:
    text = replace_once(REAL_TEXT, "short: 天津", "short: 北京")
    message = load_error(tmp_path, text)
    assert ": provinces[1].short: name '北京' is already used by provinces[0].short" in message
    text = replace_once(REAL_TEXT, "{name: 苏州, full: 苏州市", "{name: 无锡, full: 苏州市")
    assert "name '无锡' is already used by places[" in load_error(tmp_path, text)
    text = replace_once(REAL_TEXT, 'code: "120000"', 'code: "110000"')
    assert ": provinces[1].code: duplicate code '110000'" in load_error(tmp_path, text)


def test_yaml_errors(tmp_path: Path) -> None:
    lines = REAL_TEXT.splitlines()
    at = next(i for i, line in enumerate(lines) if "short: 上海" in line)
    lines[at] = lines[at].replace("{code", "{code: [", 1)
    message = load_error(tmp_path, "\n".join(lines) + "\n")
    assert f"YAML error at line {at + 1}," in message
    message = load_error(tmp_path, REAL_TEXT + "version: 1\n")
    assert "duplicate key 'version'" in message
    assert f"line {len(REAL_TEXT.splitlines()) + 1}," in message
    assert load_error(tmp_path, "").endswith(": file is empty")
    assert "top level must be a mapping" in load_error(tmp_path, "- a\n- b\n")


def test_schema_errors_name_the_key(tmp_path: Path) -> None:
    first = next(i for i, p in enumerate(load_codebook().places) if p.level == "prefecture")
    text = replace_once(REAL_TEXT, "level: prefecture}", "level: city}")
    message = load_error(tmp_path, text)
    assert f": places[{first}].level: Input should be 'prefecture', " in message
    assert message.endswith("(got 'city')")
    text = replace_once(REAL_TEXT, "en: Beijing, ", "")
    assert ": provinces[0].en: Field required" in load_error(tmp_path, text)
    text = replace_once(REAL_TEXT, "en: Beijing,", "en: Beijing, capital: true,")
    assert ": provinces[0].capital: Extra inputs are not permitted" in load_error(tmp_path, text)
    missing = tmp_path / "nope.yml"
    with pytest.raises(InputError, match="file not found"):
        load_codebook(missing)


def test_unquoted_integer_code_is_accepted(tmp_path: Path) -> None:
    text = replace_once(REAL_TEXT, 'code: "110000"', "code: 110000")
    assert load_codebook(write(tmp_path, text)).provinces[0].code == "110000"


def test_default_path_message_is_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = paths.ROOT / "data" / "codebook.yml"
    monkeypatch.setattr(paths, "CODEBOOK", bad)
    assert load_codebook().version == 1
    monkeypatch.setattr(paths, "CODEBOOK", paths.ROOT / "data" / "missing-codebook.yml")
    with pytest.raises(InputError) as info:
        load_codebook()
    assert str(info.value) == "data/missing-codebook.yml: file not found"


def test_gazetteer_holds_new_areas_and_every_pilot_ftz():
    cb = load_codebook()
    new_areas = {p.name for p in cb.places if p.level == "new_area"}
    assert len(new_areas) == 19 and {"雄安", "浦东", "滨海新区", "赣江新区"} <= new_areas
    with_areas = {p.province for p in cb.places if p.level == "ftz_area"}
    shorts = {p.code: p.short for p in cb.provinces}
    # 22 pilot FTZs (Hainan's is the free-trade port); Beijing's areas are left out (see codebook)
    assert {shorts[c] for c in with_areas} == {
        "天津", "河北", "辽宁", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建", "山东", "河南",
        "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "云南", "陕西", "新疆"}
