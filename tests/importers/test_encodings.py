"""Vietnamese legacy text encodings: round trips of every letter, TCVN3 against glibc's
iconv, detection on realistic cadastral values, and .cpg values (no database needed)."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import unicodedata

import pytest

from importers.encodings import (
    Detection,
    EncodingError,
    decode,
    detect,
    encode,
    encoding_from_cpg,
    is_syllable,
)

# Written out here rather than imported, so a slip in the module's own list shows.
LOWER = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
UPPER = LOWER.upper()
TCVN3_OWN_CAPITALS = "ĂÂĐÊÔƠƯ"
TCVN3_SHARED_CAPITALS = [c for c in UPPER if not c.isascii() and c not in TCVN3_OWN_CAPITALS]

# Values as they sit in cadastral .dbf files: names, places, addresses, land uses, codes.
REALISTIC = [
    ["Phường Tứ Minh"],
    ["Lê Thanh Nghị"],
    ["Nguyễn Trãi"],
    ["Đất ở tại đô thị", "ONT+CLN"],
    ["Số 12 đường Trần Hưng Đạo"],
    ["Nguyễn Văn Hùng", "Trần Thị Thu Hà", "Phạm Quang Dũng"],
    ["ĐẤT TRỒNG LÚA", "LUC"],
    ["Xã Tân Lập", "Thôn Đông Ngạc", "Huyện Gia Lâm"],
    ["Đất nghĩa trang, nghĩa địa", "NTD"],
    ["Võ Thị Thuý Kiều", "Ngõ 45 phố Huế"],
]


def iconv_tcvn(raw: bytes) -> str:
    result = subprocess.run(
        ["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=raw, capture_output=True, check=True
    )
    return unicodedata.normalize("NFC", result.stdout.decode("utf-8"))


def test_the_letter_list_has_67_accented_letters_in_each_case():
    assert len(LOWER) == len(set(LOWER)) == 73  # 67 accented plus a e i o u y
    assert len([c for c in LOWER + UPPER if not c.isascii()]) == 134


@pytest.mark.parametrize("encoding", ["utf-8", "cp1258", "vni"])
def test_every_lowercase_letter_round_trips(encoding):
    for letter in LOWER:
        assert decode(encode(letter, encoding), encoding) == letter, letter


@pytest.mark.parametrize("encoding", ["utf-8", "cp1258", "vni"])
def test_every_uppercase_letter_round_trips(encoding):
    for letter in UPPER:
        assert decode(encode(letter, encoding), encoding) == letter, letter


def test_tcvn3_round_trips_every_lowercase_letter():
    for letter in LOWER:
        assert decode(encode(letter, "tcvn3"), "tcvn3") == letter, letter


def test_tcvn3_round_trips_the_capitals_it_has_code_points_for():
    for letter in TCVN3_OWN_CAPITALS:
        assert decode(encode(letter, "tcvn3"), "tcvn3") == letter, letter


def test_tcvn3_other_accented_capitals_share_the_lowercase_byte():
    for letter in TCVN3_SHARED_CAPITALS:
        assert encode(letter, "tcvn3") == encode(letter.lower(), "tcvn3"), letter


def test_tcvn3_other_accented_capitals_come_back_lower_case():
    assert decode(encode("NGUYỄN TRÃI", "tcvn3"), "tcvn3") == "NGUYễN TRãI"


def test_whole_words_round_trip_in_every_encoding():
    text = "Số 12 đường Trần Hưng Đạo, phường Tứ Minh; đất ở tại đô thị (ONT+CLN)"
    for encoding in ("utf-8", "cp1258", "tcvn3", "vni"):
        assert decode(encode(text, encoding), encoding) == text, encoding


@pytest.mark.skipif(shutil.which("iconv") is None, reason="needs glibc iconv")
def test_tcvn3_table_agrees_with_glibc_iconv_for_every_byte_it_maps():
    mapped = 0
    for byte in range(0x80, 0x100):
        try:
            ours = decode(bytes([byte]), "tcvn3")
        except EncodingError:
            continue
        assert ours == iconv_tcvn(bytes([byte])), hex(byte)
        mapped += 1
    assert mapped == 67 + len(TCVN3_OWN_CAPITALS)


@pytest.mark.skipif(shutil.which("iconv") is None, reason="needs glibc iconv")
def test_tcvn3_text_decodes_like_glibc_iconv():
    raw = encode("Phường Tứ Minh, Lê Thanh Nghị, Nguyễn Trãi", "tcvn3")
    assert decode(raw, "tcvn3") == iconv_tcvn(raw)


def test_tcvn3_gives_the_familiar_abc_bytes():
    # How TCVN3 text looks when a Windows-1252 program shows it.
    assert encode("Hà Nội", "tcvn3") == "Hµ Néi".encode("latin-1")
    assert encode("Việt Nam", "tcvn3") == "ViÖt Nam".encode("latin-1")
    assert encode("Đà Nẵng", "tcvn3") == "§µ N½ng".encode("latin-1")


def test_vni_gives_the_familiar_vni_windows_bytes():
    # How VNI text looks when a Windows-1252 program shows it.
    assert encode("Việt Nam", "vni") == "Vieät Nam".encode("latin-1")
    assert encode("Đà Nẵng", "vni") == "Ñaø Naüng".encode("latin-1")
    assert encode("Thành phố Hồ Chí Minh", "vni") == "Thaønh phoá Hoà Chí Minh".encode("latin-1")
    assert encode("Trường", "vni") == "Tröôøng".encode("latin-1")
    assert encode("Vĩnh Long", "vni") == "Vónh Long".encode("latin-1")


def test_vni_writes_y_with_hook_and_tilde_as_y_plus_a_mark():
    assert encode("Mỹ", "vni") == b"My\xf5"
    assert encode("KHUỶU", "vni") == b"KHUY\xdbU"


def test_cp1258_writes_tone_marks_as_combining_bytes():
    assert encode("ấ", "cp1258") == b"\xe2\xec"  # â + combining acute
    assert encode("Nguyễn", "cp1258") == b"Nguy\xea\xden"  # ê + combining tilde


def test_cp1258_decoding_gives_nfc():
    text = decode(b"Nguy\xea\xden Tr\xe3\xecn", "cp1258")  # ễ and ắ as base + combining mark
    assert text == "Nguyễn Trắn"
    assert unicodedata.is_normalized("NFC", text)


def test_decoding_gives_nfc_in_every_encoding():
    for encoding in ("utf-8", "cp1258", "tcvn3", "vni"):
        text = decode(encode("Phường Tứ Minh", encoding), encoding)
        assert unicodedata.is_normalized("NFC", text), encoding


def test_decomposed_utf8_is_composed():
    raw = unicodedata.normalize("NFD", "Lê Thanh Nghị").encode("utf-8")
    assert decode(raw, "utf-8") == unicodedata.normalize("NFC", "Lê Thanh Nghị")


def test_invalid_utf8_raises_encoding_error():
    with pytest.raises(EncodingError):
        decode(b"Ph\xad\xeang", "utf-8")


def test_cp1258_undefined_byte_raises_encoding_error():
    with pytest.raises(EncodingError):
        decode(b"\x81", "cp1258")


def test_tcvn3_byte_outside_the_abc_table_raises_encoding_error():
    with pytest.raises(EncodingError):
        decode(b"\x80", "tcvn3")


def test_vni_mark_without_a_letter_raises_encoding_error():
    with pytest.raises(EncodingError):
        decode(b"\xf9", "vni")


def test_encoding_error_speaks_vietnamese_and_english():
    with pytest.raises(EncodingError) as caught:
        decode(b"\xff", "utf-8")
    assert "Không đọc được văn bản theo bảng mã utf-8" in str(caught.value)
    assert "Cannot decode text as utf-8" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_encoding_error_says_where_the_bad_byte_is():
    with pytest.raises(EncodingError) as caught:
        decode(b"abc\x80", "tcvn3")
    assert caught.value.detail == "byte 0x80 at 3"


def test_a_character_the_encoding_lacks_cannot_be_encoded():
    with pytest.raises(EncodingError, match="Cannot encode text as tcvn3"):
        encode("€", "tcvn3")


def test_an_unknown_encoding_is_refused():
    with pytest.raises(EncodingError):
        decode(b"abc", "latin-9")


@pytest.mark.parametrize("encoding", ["utf-8", "cp1258", "tcvn3", "vni"])
@pytest.mark.parametrize("values", REALISTIC, ids=lambda values: values[0])
def test_detects_the_encoding_of_realistic_values(encoding, values):
    detection = detect(encode(value, encoding) for value in values)
    assert detection.encoding == encoding, detection.scores
    assert detection.confidence > 0.3


def test_detects_tcvn3_on_a_column_of_upper_case_names():
    values = ["NGUYỄN VĂN HÙNG", "TRẦN THỊ THU HÀ", "LÊ THANH NGHỊ", "ĐỖ QUANG KHUYẾN"]
    assert detect(encode(value, "tcvn3") for value in values).encoding == "tcvn3"


def test_detection_shows_a_sample_before_and_after():
    raw = encode("Số 12 đường Trần Hưng Đạo", "vni")
    detection = detect([b"ONT", raw])
    assert detection.sample_before == raw
    assert detection.sample_after == "Số 12 đường Trần Hưng Đạo"


def test_detection_scores_every_encoding():
    detection = detect([encode("Phường Tứ Minh", "tcvn3")])
    assert set(detection.scores) == {"utf-8", "cp1258", "tcvn3", "vni"}
    assert detection.scores["tcvn3"] == max(detection.scores.values())


def test_pure_ascii_is_utf8_with_full_confidence():
    detection = detect([b"ONT+CLN", b"LUC", b"", b"So 12"])
    assert (detection.encoding, detection.confidence) == ("utf-8", 1.0)


def test_no_samples_is_utf8_with_full_confidence():
    assert detect([]).encoding == "utf-8"


def test_bytes_nothing_can_decode_get_zero_confidence():
    detection = detect([b"\x81\x90"])
    assert detection.confidence == 0.0
    assert detection.sample_after is None


def test_detection_is_frozen():
    detection = detect([b"LUC"])
    assert isinstance(detection, Detection)
    with pytest.raises(dataclasses.FrozenInstanceError):
        detection.encoding = "vni"  # type: ignore[misc]


def test_syllables_with_the_tone_on_the_main_vowel_are_vietnamese():
    for word in ["nguyễn", "người", "khuỷu", "quốc", "giữa", "hòa", "hoà", "thuở", "đắk"]:
        assert is_syllable(word), word


def test_words_no_vietnamese_spells_are_not_syllables():
    # Two tones; a tone off its vowel; a stop coda with huyền; a vowel run VN lacks.
    for word in ["phửụứng", "hòan", "tàt", "nguyôn", "khôăng"]:
        assert not is_syllable(word), word


@pytest.mark.parametrize(
    ("cpg", "encoding"),
    [
        ("UTF-8", "utf-8"),
        ("UTF8", "utf-8"),
        ("utf-8\r\n", "utf-8"),
        ("65001", "utf-8"),
        ("1258", "cp1258"),
        ("CP1258", "cp1258"),
        ("windows-1258", "cp1258"),
        ("ANSI 1258", "cp1258"),
        ("TCVN5712-1", "tcvn3"),
        ("TCVN3", "tcvn3"),
        ("TCVN", "tcvn3"),
        ("VNI", "vni"),
        ("VNI-WIN", "vni"),
    ],
)
def test_cpg_values_seen_in_the_wild_name_their_encoding(cpg, encoding):
    assert encoding_from_cpg(cpg) == encoding


@pytest.mark.parametrize("cpg", ["1252", "LATIN1", "ISO-8859-1", "", "88591", "GB2312"])
def test_unreliable_or_unknown_cpg_values_mean_detect(cpg):
    assert encoding_from_cpg(cpg) is None
