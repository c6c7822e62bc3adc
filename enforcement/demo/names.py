"""Deterministic, realistic Chinese personal names for demo users."""

from __future__ import annotations

# Common surnames, roughly by frequency.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢钟姜崔谭陆范汪廖石金韦贾"
)

GIVEN_NAMES = (
    "建国", "建华", "志强", "志明", "国强", "海涛", "伟", "芳", "敏", "静",
    "丽娟", "秀英", "军", "磊", "洋", "勇", "艳", "杰", "娟", "涛",
    "明辉", "超", "秀兰", "霞", "平", "刚", "桂英", "文杰", "晓东", "丹",
    "俊杰", "浩然", "子轩", "雨涵", "欣怡", "思远", "嘉怡", "一鸣", "宇航", "梓涵",
    "红梅", "玉兰", "春燕", "海燕", "雪梅", "立新", "卫东", "振华", "国庆", "建军",
    "晓峰", "志刚", "晓明", "永强", "金凤", "美玲", "慧敏", "晨曦", "思琪", "鹏飞",
    "锦程", "泽宇", "天佑", "若曦", "梦琪", "家豪", "文博", "宏伟", "凯", "琳",
    "亚楠", "婷婷", "旭东", "利民", "学军", "德华", "振国", "少华", "秋菊", "月华",
)


def person_name(serial: int) -> str:
    """The name of the ``serial``-th demo person: stable across runs.

    Two strides coprime with the list lengths spread the combinations so that
    neighbours (colleagues in one township) rarely share a surname.
    """
    surname = SURNAMES[(serial * 7) % len(SURNAMES)]
    given = GIVEN_NAMES[(serial * 13 + serial // len(GIVEN_NAMES)) % len(GIVEN_NAMES)]
    return surname + given
