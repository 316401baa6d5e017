"""Vietnamese text encodings of legacy cadastral files (UTF-8, Windows-1258, TCVN3, VNI):
decoding to NFC, encoding back, and detection by Vietnamese syllable statistics
(DOMAIN.md, "Text encodings in legacy files")."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# Most frequent first in cadastral files (TCVN3 from MicroStation/Famis, then VNI): ties
# between equally plausible decodings go to the earlier one.
ENCODINGS = ("utf-8", "tcvn3", "vni", "cp1258")
LOWER_LETTERS = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
LETTERS = LOWER_LETTERS + LOWER_LETTERS.upper()


class EncodingError(ValueError):
    """Bytes that the encoding cannot read, or text it cannot write."""

    READING = "Không đọc được văn bản theo bảng mã {0} / Cannot decode text as {0}"
    WRITING = "Không ghi được văn bản theo bảng mã {0} / Cannot encode text as {0}"

    def __init__(self, encoding: str, detail: str = "", *, writing: bool = False) -> None:
        message = (self.WRITING if writing else self.READING).format(encoding)
        super().__init__(f"{message}: {detail}" if detail else message)
        self.encoding = encoding
        self.detail = detail


# TCVN3 (ABC, TCVN 5712:1993 VN3), the byte values of the .VnTime fonts: every lower-case
# letter and the capitals Ă Â Ê Ô Ơ Ư Đ. Other capitals were drawn with the ".VnTimeH"
# fonts at the lower-case byte values, so their case is not in the bytes. Source: the
# MIT-licensed npm package vietnamese-conversion 2.0.0 (dist/charsets.js; we do not follow
# its other capitals, base letter + lower-case byte, e.g. À = b"A\xb5"); every entry agrees
# with glibc's TCVN5712-1 (iconv) after NFC. Bytes glibc gives to VN1 capitals (0x80-0x9F,
# 0xAF…) and combining marks (0xB0-0xB4) are left out: decoding them raises EncodingError.
_TCVN3_DECODE: dict[int, str] = {
    0xA1: "Ă",
    0xA2: "Â",
    0xA3: "Ê",
    0xA4: "Ô",
    0xA5: "Ơ",
    0xA6: "Ư",
    0xA7: "Đ",
    0xA8: "ă",
    0xA9: "â",
    0xAA: "ê",
    0xAB: "ô",
    0xAC: "ơ",
    0xAD: "ư",
    0xAE: "đ",
    0xB5: "à",
    0xB6: "ả",
    0xB7: "ã",
    0xB8: "á",
    0xB9: "ạ",
    0xBB: "ằ",
    0xBC: "ẳ",
    0xBD: "ẵ",
    0xBE: "ắ",
    0xC6: "ặ",
    0xC7: "ầ",
    0xC8: "ẩ",
    0xC9: "ẫ",
    0xCA: "ấ",
    0xCB: "ậ",
    0xCC: "è",
    0xCE: "ẻ",
    0xCF: "ẽ",
    0xD0: "é",
    0xD1: "ẹ",
    0xD2: "ề",
    0xD3: "ể",
    0xD4: "ễ",
    0xD5: "ế",
    0xD6: "ệ",
    0xD7: "ì",
    0xD8: "ỉ",
    0xDC: "ĩ",
    0xDD: "í",
    0xDE: "ị",
    0xDF: "ò",
    0xE1: "ỏ",
    0xE2: "õ",
    0xE3: "ó",
    0xE4: "ọ",
    0xE5: "ồ",
    0xE6: "ổ",
    0xE7: "ỗ",
    0xE8: "ố",
    0xE9: "ộ",
    0xEA: "ờ",
    0xEB: "ở",
    0xEC: "ỡ",
    0xED: "ớ",
    0xEE: "ợ",
    0xEF: "ù",
    0xF1: "ủ",
    0xF2: "ũ",
    0xF3: "ú",
    0xF4: "ụ",
    0xF5: "ừ",
    0xF6: "ử",
    0xF7: "ữ",
    0xF8: "ứ",
    0xF9: "ự",
    0xFA: "ỳ",
    0xFB: "ỷ",
    0xFC: "ỹ",
    0xFD: "ý",
    0xFE: "ỵ",
}

# VNI-Windows: a base letter followed by one mark byte (two for ơ/ư with a tone), or one
# byte for đ, ơ, ư, ỵ and the i-letters. Source: the MIT-licensed npm package
# vietnamese-conversion 2.0.0 (dist/charsets.js), except ỷ ỹ Ỷ Ỹ: that table gives them
# single bytes that VNI uses for ì Ì and the ặ Ặ marks; VNI writes "Mỹ" as b"My\xf5".
# fmt: off
_VNI_ENCODE: dict[str, bytes] = {
    "à": b"a\xf8", "À": b"A\xd8",
    "á": b"a\xf9", "Á": b"A\xd9",
    "ả": b"a\xfb", "Ả": b"A\xdb",
    "ã": b"a\xf5", "Ã": b"A\xd5",
    "ạ": b"a\xef", "Ạ": b"A\xcf",
    "ă": b"a\xea", "Ă": b"A\xca",
    "ằ": b"a\xe8", "Ằ": b"A\xc8",
    "ắ": b"a\xe9", "Ắ": b"A\xc9",
    "ẳ": b"a\xfa", "Ẳ": b"A\xda",
    "ẵ": b"a\xfc", "Ẵ": b"A\xdc",
    "ặ": b"a\xeb", "Ặ": b"A\xcb",
    "â": b"a\xe2", "Â": b"A\xc2",
    "ầ": b"a\xe0", "Ầ": b"A\xc0",
    "ấ": b"a\xe1", "Ấ": b"A\xc1",
    "ẩ": b"a\xe5", "Ẩ": b"A\xc5",
    "ẫ": b"a\xe3", "Ẫ": b"A\xc3",
    "ậ": b"a\xe4", "Ậ": b"A\xc4",
    "è": b"e\xf8", "È": b"E\xd8",
    "é": b"e\xf9", "É": b"E\xd9",
    "ẻ": b"e\xfb", "Ẻ": b"E\xdb",
    "ẽ": b"e\xf5", "Ẽ": b"E\xd5",
    "ẹ": b"e\xef", "Ẹ": b"E\xcf",
    "ê": b"e\xe2", "Ê": b"E\xc2",
    "ề": b"e\xe0", "Ề": b"E\xc0",
    "ế": b"e\xe1", "Ế": b"E\xc1",
    "ể": b"e\xe5", "Ể": b"E\xc5",
    "ễ": b"e\xe3", "Ễ": b"E\xc3",
    "ệ": b"e\xe4", "Ệ": b"E\xc4",
    "ì": b"\xec", "Ì": b"\xcc",
    "í": b"\xed", "Í": b"\xcd",
    "ỉ": b"\xe6", "Ỉ": b"\xc6",
    "ĩ": b"\xf3", "Ĩ": b"\xd3",
    "ị": b"\xf2", "Ị": b"\xd2",
    "ò": b"o\xf8", "Ò": b"O\xd8",
    "ó": b"o\xf9", "Ó": b"O\xd9",
    "ỏ": b"o\xfb", "Ỏ": b"O\xdb",
    "õ": b"o\xf5", "Õ": b"O\xd5",
    "ọ": b"o\xef", "Ọ": b"O\xcf",
    "ô": b"o\xe2", "Ô": b"O\xc2",
    "ồ": b"o\xe0", "Ồ": b"O\xc0",
    "ố": b"o\xe1", "Ố": b"O\xc1",
    "ổ": b"o\xe5", "Ổ": b"O\xc5",
    "ỗ": b"o\xe3", "Ỗ": b"O\xc3",
    "ộ": b"o\xe4", "Ộ": b"O\xc4",
    "ơ": b"\xf4", "Ơ": b"\xd4",
    "ờ": b"\xf4\xf8", "Ờ": b"\xd4\xd8",
    "ớ": b"\xf4\xf9", "Ớ": b"\xd4\xd9",
    "ở": b"\xf4\xfb", "Ở": b"\xd4\xdb",
    "ỡ": b"\xf4\xf5", "Ỡ": b"\xd4\xd5",
    "ợ": b"\xf4\xef", "Ợ": b"\xd4\xcf",
    "ù": b"u\xf8", "Ù": b"U\xd8",
    "ú": b"u\xf9", "Ú": b"U\xd9",
    "ủ": b"u\xfb", "Ủ": b"U\xdb",
    "ũ": b"u\xf5", "Ũ": b"U\xd5",
    "ụ": b"u\xef", "Ụ": b"U\xcf",
    "ư": b"\xf6", "Ư": b"\xd6",
    "ừ": b"\xf6\xf8", "Ừ": b"\xd6\xd8",
    "ứ": b"\xf6\xf9", "Ứ": b"\xd6\xd9",
    "ử": b"\xf6\xfb", "Ử": b"\xd6\xdb",
    "ữ": b"\xf6\xf5", "Ữ": b"\xd6\xd5",
    "ự": b"\xf6\xef", "Ự": b"\xd6\xcf",
    "ỳ": b"y\xf8", "Ỳ": b"Y\xd8",
    "ý": b"y\xf9", "Ý": b"Y\xd9",
    "ỷ": b"y\xfb", "Ỷ": b"Y\xdb",
    "ỹ": b"y\xf5", "Ỹ": b"Y\xd5",
    "ỵ": b"\xee", "Ỵ": b"\xce",
    "đ": b"\xf1", "Đ": b"\xd1",
}
# fmt: on
_VNI_DECODE = {code: char for char, code in _VNI_ENCODE.items()}
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng


def _tcvn3_encoder() -> dict[str, int]:
    table = {char: byte for byte, char in _TCVN3_DECODE.items()}
    for char, byte in list(table.items()):
        table.setdefault(char.upper(), byte)  # the .VnTimeH capital shares the byte
    return table


_TCVN3_ENCODE = _tcvn3_encoder()


def _decode_codec(raw: bytes, codec: str) -> str:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:
        raise EncodingError(codec, f"byte 0x{raw[exc.start]:02X} at {exc.start}") from None


def _decode_tcvn3(raw: bytes) -> str:
    chars: list[str] = []
    for position, byte in enumerate(raw):
        char = chr(byte) if byte < 0x80 else _TCVN3_DECODE.get(byte)
        if char is None:
            raise EncodingError("tcvn3", f"byte 0x{byte:02X} at {position}")
        chars.append(char)
    return "".join(chars)


def _decode_vni(raw: bytes) -> str:
    chars: list[str] = []
    position = 0
    while position < len(raw):
        pair = _VNI_DECODE.get(raw[position : position + 2])
        if pair is not None:
            chars.append(pair)
            position += 2
            continue
        byte = raw[position]
        char = chr(byte) if byte < 0x80 else _VNI_DECODE.get(raw[position : position + 1])
        if char is None:
            raise EncodingError("vni", f"byte 0x{byte:02X} at {position}")
        chars.append(char)
        position += 1
    return "".join(chars)


_DECODERS = {
    "utf-8": lambda raw: _decode_codec(raw, "utf-8"),
    "cp1258": lambda raw: _decode_codec(raw, "cp1258"),
    "tcvn3": _decode_tcvn3,
    "vni": _decode_vni,
}


def decode(raw: bytes, encoding: str) -> str:
    """Text in NFC; EncodingError for bytes the encoding does not use."""
    decoder = _DECODERS.get(encoding)
    if decoder is None:
        raise EncodingError(encoding, "unknown encoding")
    return unicodedata.normalize("NFC", decoder(raw))


def _cp1258_char(char: str) -> bytes:
    try:
        return char.encode("cp1258")  # ASCII, â ê ô ơ ư ă đ and the few toned letters it has
    except UnicodeEncodeError:
        pass
    # Windows-1258 has no ấ, ờ, ỹ…: the precomposed letter it has plus a combining tone.
    parts = unicodedata.normalize("NFD", char)
    base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
    try:
        return (base + "".join(c for c in parts if c in _TONES)).encode("cp1258")
    except UnicodeEncodeError:
        raise EncodingError("cp1258", f"character {char!r}", writing=True) from None


def _encode_with(text: str, table: dict[str, int] | dict[str, bytes], encoding: str) -> bytes:
    out = bytearray()
    for char in text:
        code = ord(char) if char.isascii() else table.get(char)
        if code is None:
            raise EncodingError(encoding, f"character {char!r}", writing=True)
        out += bytes([code]) if isinstance(code, int) else code
    return bytes(out)


def encode(text: str, encoding: str) -> bytes:
    """Bytes as legacy software wrote them. Lossy for TCVN3: accented capitals other than
    Ă Â Ê Ô Ơ Ư Đ get the lower-case byte (the font, not the byte, made them capitals)."""
    text = unicodedata.normalize("NFC", text)
    if encoding == "utf-8":
        return text.encode("utf-8")
    if encoding == "cp1258":
        return b"".join(_cp1258_char(char) for char in text)
    if encoding == "tcvn3":
        return _encode_with(text, _TCVN3_ENCODE, encoding)
    if encoding == "vni":
        return _encode_with(text, _VNI_ENCODE, encoding)
    raise EncodingError(encoding, "unknown encoding", writing=True)


# .cpg values seen in the wild, compared without case, spaces, "-" or "_". Code pages such
# as 1252 or ISO-8859-1 are what tools write when they did not know: detect instead.
_CPG_VALUES = {
    "UTF8": "utf-8",
    "65001": "utf-8",
    "1258": "cp1258",
    "CP1258": "cp1258",
    "WINDOWS1258": "cp1258",
    "ANSI1258": "cp1258",
    "TCVN57121": "tcvn3",
    "TCVN5712": "tcvn3",
    "TCVN3": "tcvn3",
    "TCVN": "tcvn3",
    "VNI": "vni",
    "VNIWIN": "vni",
    "VNIWINDOWS": "vni",
}


def encoding_from_cpg(text: str) -> str | None:
    """The encoding a .cpg file names, or None when it names none we can trust."""
    key = re.sub(r"[\s_\-\ufeff]", "", text).upper()
    return _CPG_VALUES.get(key)


# Vietnamese spelling, for telling a right decoding from a wrong one: a syllable is an
# onset, a vowel nucleus and a coda, with at most one tone mark, on the nucleus vowel
# that carries it. Nucleus -> tone positions without a coda, and with one (None: the
# nucleus cannot stand that way). "oa", "oe", "uy" accept both "hòa" and "hoà".
_ONSETS = (
    *("ngh", "ng", "gh", "gi", "kh", "nh", "ph", "th", "tr", "ch", "qu"),
    *("b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", ""),
)
_CODAS = ("ch", "ng", "nh", "c", "k", "m", "n", "p", "t", "")  # k: Đắk Lắk, Đăk Tô
_STOP_CODAS = {"c", "ch", "p", "t"}  # take only sắc or nặng
_PALATAL_NUCLEI = {"a", "ê", "i", "y", "oa", "uy", "uê"}  # the only ones before ch, nh
_GLIDE_FIRST = ((0,), None)  # ai, ao… the tone on the first vowel, no coda
_NUCLEI: dict[str, tuple[tuple[int, ...] | None, tuple[int, ...] | None]] = {
    **dict.fromkeys(("a", "e", "ê", "i", "y", "o", "ô", "ơ", "u", "ư"), ((0,), (0,))),
    **dict.fromkeys(("ă", "â"), (None, (0,))),
    **dict.fromkeys(("iê", "yê", "uô", "ươ", "uâ", "oă", "oo"), (None, (1,))),
    **dict.fromkeys(("oa", "oe", "uy"), ((0, 1), (1,))),
    "uê": ((1,), (1,)),
    "uơ": ((1,), None),
    "uyê": (None, (2,)),
    **dict.fromkeys(
        ("ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi"),
        _GLIDE_FIRST,
    ),
    **dict.fromkeys(("ua", "ui", "ưa", "ưi", "ưu"), _GLIDE_FIRST),
    **dict.fromkeys(
        ("iêu", "yêu", "oai", "oay", "oao", "oeo", "uây", "uôi", "ươi", "ươu", "uyu", "uya"),
        ((1,), None),
    ),
}
_CONSONANTS = set("bcdđfghjklmnpqrstvwxz")
_WORD_LETTERS = set(LETTERS) | _CONSONANTS | {c.upper() for c in _CONSONANTS}
# Runs of letters (and of the stray symbols a wrong decoding makes): ASCII digits,
# punctuation and any space separate words.
_WORDS = re.compile(r"[^\x00-\x40\x5b-\x60\x7b-\x7f\s]+")

# Frequent syllables of names, places and land uses: between two decodings that both
# spell Vietnamese ("Kỳ" in TCVN3 reads "Kú" in Windows-1258) the familiar one wins.
_COMMON_SYLLABLES = frozenset(
    """
    và của có các là không người một những được cho đã với này trong đến khi để ra nhiều như
    cũng lại thì về năm sẽ đi ở sự thành theo nhà đó phải từ hay nói làm việc ngày mới hơn
    trên dưới sau trước giữa bên cạnh gần cùng tại bị nên nếu mà
    nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý đinh đào trịnh
    lương tạ kiều lưu quách đoàn triệu vương chu đàm hứa mạc châu
    văn thị đức hữu minh hùng anh thanh hương hoa lan ngọc tuấn quang dũng hải thu hà hạnh
    bích hồng hưng hòa hoà thủy thuỷ thúy thuý phương dung trang mai linh nga tâm tú tiến
    tùng thắng cường huy khánh kiên lâm lợi lực mạnh nam nghĩa phúc quân sơn tài thái thảo
    thơ trinh trung tuyết vân việt xuân yến chiến đông kỳ mỹ quý quỳnh
    phường xã thôn xóm ấp bản khu phố tổ khối ngõ ngách hẻm kiệt quận huyện tỉnh trấn số
    đường quốc lộ đê cầu sông núi đồi đảo bắc tây thượng hạ
    đất đô nông trồng lúa cây lâu hằng khác rừng sản xuất phòng hộ đặc dụng nuôi muối nghiệp
    xây dựng trụ sở cơ quan công trình an ninh kinh doanh phi thương mại dịch vụ giao thông
    năng lượng bưu chính viễn di tích lịch sử hóa hoá danh lam cảnh bãi thải xử chất tôn
    giáo tín ngưỡng địa tang lễ hỏa táng ngòi kênh rạch suối mặt nước chuyên chưa đá dục tạo
    y tế thể thao chợ vui chơi giải trí cộng ao
    thửa tờ đồ diện mục đích thời hạn nguồn gốc giấy chứng nhận quyền chủ ông bà chị gia
    đình cá nhân chức ủy ban dân quy hoạch chi tiết phân chung tỷ lệ mật độ tầng cao chỉ
    giới đỏ
    đạo thường trãi hai điện biên phủ chinh phóng diệu tô hiến bạch đằng nội chí đà nẵng huế
    cần nghệ tĩnh bình định
    """.split()
)


def _tone_split(word: str) -> tuple[str, int | None, str | None] | None:
    """The word without its tone mark, where the mark sat and which it was."""
    bases: list[str] = []
    tone_at: int | None = None
    tone: str | None = None
    for index, char in enumerate(word):
        parts = unicodedata.normalize("NFD", char)
        marks = [c for c in parts if c in _TONES]
        if marks and (tone is not None or len(marks) > 1):
            return None
        if marks:
            tone_at, tone = index, marks[0]
        bases.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES)))
    return "".join(bases), tone_at, tone


def _fits(rest: str, tone_at: int | None, tone: str | None) -> bool:
    """Whether a syllable after its onset is a nucleus and coda with a well-placed tone."""
    for coda in _CODAS:
        nucleus = rest[: len(rest) - len(coda)]
        positions = _NUCLEI.get(nucleus, (None, None))[1 if coda else 0]
        if not rest.endswith(coda) or positions is None:
            continue
        if tone_at is not None and tone_at not in positions:
            continue
        if coda in _STOP_CODAS and tone not in ("\u0301", "\u0323"):
            continue
        if coda in ("ch", "nh") and nucleus not in _PALATAL_NUCLEI:
            continue
        return True
    return False


def is_syllable(word: str) -> bool:
    """Whether a lower-case word is spelt as a Vietnamese syllable."""
    split = _tone_split(word)
    if split is None:
        return False
    base, tone_at, tone = split
    return any(
        _fits(base[len(onset) :], None if tone_at is None else tone_at - len(onset), tone)
        for onset in _ONSETS
        if base.startswith(onset)
    )


def _plausible_case(word: str) -> bool:
    # lower, Title or UPPER; in UPPER words TCVN3 gives most accented letters in lower case.
    rest = word[1:]
    return rest == rest.lower() or all(c.isupper() for c in word if c.isascii())


def _is_vietnamese_word(word: str) -> bool:
    return set(word) <= _WORD_LETTERS and _plausible_case(word) and is_syllable(word.lower())


def _word_score(word: str) -> float:
    if not _is_vietnamese_word(word):
        return 0.0
    return 1.0 if word.lower() in _COMMON_SYLLABLES else 0.8


def plausibility(text: str) -> float:
    """How much the non-ASCII words of ``text`` read as Vietnamese: 0 none is a syllable,
    0.8 all are, 1.0 all are frequent ones (and when no word needs judging)."""
    words = [w for w in _WORDS.findall(text) if not w.isascii()]
    # Consonants alone are abbreviations (ĐT, Đ.): they say nothing about the encoding.
    words = [w for w in words if not set(w.lower()) <= _CONSONANTS]
    if not words:
        return 1.0
    return sum(_word_score(word) for word in words) / len(words)


@dataclass(frozen=True)
class Detection:
    """The encoding chosen for a file's text, and one value shown before and after."""

    encoding: str
    confidence: float  # 0..1: the lead of the best score over the runner-up
    scores: dict[str, float]  # mean plausibility of the samples, per encoding
    sample_before: bytes | None = None
    sample_after: str | None = None


_MAX_SAMPLES = 500


def detect(samples: Iterable[bytes]) -> Detection:
    """The encoding under which the samples read most like Vietnamese."""
    # Distinct values: a street name on every third parcel counts once, not a thousand times.
    legacy = list(dict.fromkeys(raw for raw in samples if raw and not raw.isascii()))
    legacy = legacy[:_MAX_SAMPLES]
    if not legacy:  # ASCII reads the same in every encoding
        return Detection("utf-8", 1.0, dict.fromkeys(ENCODINGS, 1.0))
    decoded = {e: [_decoded_or_none(raw, e) for raw in legacy] for e in ENCODINGS}
    scores = {e: _mean_plausibility(texts) for e, texts in decoded.items()}
    best = max(ENCODINGS, key=scores.__getitem__)  # the first of equals: ENCODINGS order
    # An encoding that reads the samples exactly the same is no rival (í is 0xED in both
    # VNI and Windows-1258).
    rivals = [scores[e] for e in ENCODINGS if decoded[e] != decoded[best]]
    example = max(range(len(legacy)), key=lambda i: sum(byte >= 0x80 for byte in legacy[i]))
    return Detection(
        encoding=best,
        confidence=round(max(0.0, scores[best] - max(rivals, default=0.0)), 3),
        scores=scores,
        sample_before=legacy[example],
        sample_after=decoded[best][example],
    )


# How much better the text must read in another encoding before a .cpg is overruled: bytes
# a lying .cpg names read as mojibake (plausibility near 0) or not at all.
CPG_OVERRULED_BY = 0.5


def overrules(detection: Detection, declared: str) -> bool:
    """Whether the samples read clearly better in the detected encoding than in the one a
    .cpg declares (".cpg files are often missing or wrong", DOMAIN.md)."""
    lead = detection.scores[detection.encoding] - detection.scores.get(declared, 0.0)
    return detection.encoding != declared and lead >= CPG_OVERRULED_BY


def _mean_plausibility(texts: list[str | None]) -> float:
    return round(sum(0.0 if t is None else plausibility(t) for t in texts) / len(texts), 3)


def _decoded_or_none(raw: bytes, encoding: str) -> str | None:
    try:
        return decode(raw, encoding)
    except EncodingError:
        return None
