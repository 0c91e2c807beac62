"""Double-encoding repair: the shipped runbook is exactly the damaged seed, repaired."""

from __future__ import annotations

from support.paths import DAMAGED, SEED

from interpreter.parse.mojibake import find_mojibake, repair

SEED_SHA256 = "ecd0500389b22e5145cc8323edda01b9aae18eea523153313d1a9c966209e501"


def test_shipped_runbook_is_the_repaired_seed() -> None:
    damaged = DAMAGED.read_text("utf-8")
    # The seed's `┐` lost its last byte (0x90 has no cp1252 character); we pick it by hand.
    assert repair(damaged, {"â”": "┐"}) == SEED.read_text("utf-8")


def test_finds_every_damaged_character_with_its_position() -> None:
    found = list(find_mojibake(DAMAGED.read_text("utf-8")))
    first = found[0]
    assert (first.line, first.column, first.damaged, first.repaired) == (6, 13, "âœ…", "✅")
    assert {m.repaired for m in found if not m.lost_byte} >= {"✅", "🔴", "🟢", "→", "┌", "─", "│", "▼"}
    lost = [m for m in found if m.lost_byte]
    assert len(lost) == 12 and "┐" in lost[0].repaired.split("|")
    assert not list(find_mojibake(SEED.read_text("utf-8")))


def test_leaves_real_accents_alone() -> None:
    text = "Café, naïve, Zürich, São Paulo — “quoted”"
    assert list(find_mojibake(text)) == []
    assert repair(text) == text


def test_the_damaged_fixture_is_the_seed_byte_for_byte() -> None:
    import hashlib

    # sha256 of ../shared/seed/rollback-procedures.md as the user gave it (tools must never reformat it).
    digest = hashlib.sha256(DAMAGED.read_bytes()).hexdigest()
    assert digest == SEED_SHA256
