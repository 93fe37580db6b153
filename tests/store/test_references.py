"""Incident references stay unique past the 99,999th incident (the sequence is not per year)."""

import re

from store import directory, incidents
from store.db import open_pool


async def test_references_grow_a_digit_instead_of_repeating(own_database: str) -> None:
    pool = await open_pool(own_database, max_size=2)
    try:
        async with pool.connection() as conn:
            board = await directory.create_board(conn, name="Stichting Groot")
            school = await directory.create_school(conn, board_id=board, name="Grote School")
            await conn.execute("SELECT setval('incident_reference_seq', 99998)")
            made = [
                await incidents.create_incident(conn, school_id=school, summary="", created_by=None)
                for _ in range(3)
            ]
    finally:
        await pool.close()
    numbers = [m.reference.rsplit("-", 1)[1] for m in made]
    assert numbers == ["99999", "100000", "100001"]
    assert all(re.fullmatch(r"RG-\d{4}-\d{5,}", m.reference) for m in made)
