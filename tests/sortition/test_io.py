from __future__ import annotations

import pytest

from participants.sortition import SortitionError, load_instance, read_pool, read_quotas
from participants.sortition.io import input_sha256

QUOTAS = "feature,value,min,max\ngender,f,1,2\ngender,m,1,2\nage,young,0,2\nage,old,0,3\n"
POOL = (
    "id,gender,age,address,postcode,phone\n1,f,young,A 1,1234AB,06\n2,m,old,A 1,1234ab,07\n"
    "3,m,young,B 2,1111AA,\n4,f,old,C 3,2222BB,\n"
)


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def error_of(call):
    with pytest.raises(SortitionError) as caught:
        call()
    return caught.value


@pytest.mark.parametrize(
    "header",
    ["feature,value,min,max", "category,name,min,max", "category,feature,min,max"],
)
def test_it_reads_all_three_quota_formats(tmp_path, header):
    path = write(tmp_path, "q.csv", header + "\ngender,f,1,2\ngender,m,0,2\n")
    quotas = read_quotas(path)
    assert [(q.category, q.value, q.min, q.max) for q in quotas] == [
        ("gender", "f", 1, 2),
        ("gender", "m", 0, 2),
    ]


def test_it_reads_flex_columns_and_a_byte_order_mark(tmp_path):
    path = write(
        tmp_path,
        "q.csv",
        "category,name,min,max,min_flex,max_flex\ng,f,1,2,0,3\n",
        encoding="utf-8-sig",
    )
    (quota,) = read_quotas(path)
    assert (quota.category, quota.min_flex, quota.max_flex) == ("g", 0, 3)


def test_it_carries_extra_columns_and_normalises_households(tmp_path):
    quotas = read_quotas(write(tmp_path, "q.csv", QUOTAS))
    pool = read_pool(write(tmp_path, "p.csv", POOL), quotas, ["address", "postcode"])
    assert pool[0].extra == {"phone": "06"}
    assert pool[0].household == pool[1].household != pool[2].household


def test_it_numbers_rows_when_there_is_no_id_column(tmp_path):
    quotas = read_quotas(write(tmp_path, "q.csv", QUOTAS))
    pool = read_pool(write(tmp_path, "p.csv", "gender,age\nf,old\nm,young\n"), quotas)
    assert [p.id for p in pool] == ["1", "2"]


def test_it_accepts_nationbuilder_ids(tmp_path):
    quotas = read_quotas(write(tmp_path, "q.csv", QUOTAS))
    pool = read_pool(write(tmp_path, "p.csv", "nationbuilder_id,gender,age\n77,f,old\n"), quotas)
    assert pool[0].id == "77"


def test_it_names_file_row_and_column_for_an_unknown_value(tmp_path):
    quotas = read_quotas(write(tmp_path, "q.csv", QUOTAS))
    pool_file = write(tmp_path, "p.csv", "id,gender,age\n1,f,old\n2,x,old\n")
    error = error_of(lambda: read_pool(pool_file, quotas))
    assert error.code == "unknown_value"
    assert error.params == {"file": str(pool_file), "row": 3, "column": "gender", "value": "x"}
    assert "p.csv, regel 3, kolom 'gender'" in error.message_nl
    assert "row 3" in error.message


def test_it_names_a_missing_category_column(tmp_path):
    quotas = read_quotas(write(tmp_path, "q.csv", QUOTAS))
    error = error_of(lambda: read_pool(write(tmp_path, "p.csv", "id,gender\n1,f\n"), quotas))
    assert (error.code, error.params["column"]) == ("missing_column", "age")


def test_it_names_both_rows_of_a_duplicate_id(tmp_path):
    quotas = read_quotas(write(tmp_path, "q.csv", QUOTAS))
    pool_file = write(tmp_path, "p.csv", "id,gender,age\n1,f,old\n2,m,old\n1,m,old\n")
    error = error_of(lambda: read_pool(pool_file, quotas))
    assert (error.code, error.params["row"], error.params["first_row"]) == ("duplicate_id", 4, 2)


def test_it_rejects_min_above_max_with_its_row(tmp_path):
    path = write(tmp_path, "q.csv", "feature,value,min,max\ng,f,1,2\ng,m,3,2\n")
    error = error_of(lambda: read_quotas(path))
    assert (error.code, error.params["row"]) == ("min_above_max", 3)


def test_it_rejects_a_number_that_is_not_whole(tmp_path):
    path = write(tmp_path, "q.csv", "feature,value,min,max\ng,f,1.5,2\n")
    error = error_of(lambda: read_quotas(path))
    assert (error.code, error.params["row"], error.params["column"]) == ("not_an_integer", 2, "min")


def test_it_rejects_quotas_whose_sums_cannot_reach_k(tmp_path):
    q = write(tmp_path, "q.csv", QUOTAS)
    p = write(tmp_path, "p.csv", POOL)
    assert error_of(lambda: load_instance(q, p, 1)).code == "quota_sum_too_high"
    q2 = write(tmp_path, "q2.csv", "feature,value,min,max\ngender,f,0,1\ngender,m,0,1\n")
    error = error_of(lambda: load_instance(q2, p, 3))
    assert (error.code, error.params["category"], error.params["total"]) == (
        "quota_sum_too_low",
        "gender",
        2,
    )


def test_it_rejects_an_empty_pool_and_a_missing_file(tmp_path):
    q = write(tmp_path, "q.csv", QUOTAS)
    assert (
        error_of(lambda: load_instance(q, write(tmp_path, "p.csv", "id,gender,age\n"), 2)).code
        == "empty_pool"
    )
    assert error_of(lambda: load_instance(q, tmp_path / "none.csv", 2)).code == "file_not_found"


def test_it_rejects_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "q.csv"
    path.write_bytes("feature,value,min,max\ng,\xe9,1,2\n".encode("latin-1"))
    assert error_of(lambda: read_quotas(path)).code == "file_encoding"


def test_it_hashes_the_pool_independently_of_row_order_and_extra_columns(tmp_path):
    q = write(tmp_path, "q.csv", QUOTAS)
    a = load_instance(q, write(tmp_path, "a.csv", POOL), 2)
    lines = POOL.strip().split("\n")
    reordered = "\n".join(
        [lines[0].replace(",phone", ""), *[line.rsplit(",", 1)[0] for line in reversed(lines[1:])]]
    )
    b = load_instance(q, write(tmp_path, "b.csv", reordered), 2)
    assert input_sha256(a) == input_sha256(b)
    c = load_instance(q, write(tmp_path, "c.csv", POOL.replace("4,f,old", "4,m,old")), 2)
    assert input_sha256(a) != input_sha256(c)
