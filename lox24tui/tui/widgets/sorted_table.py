"""A table sorted by the column the person picks, or in the order its rows were given.

The sorted column's header shows ▲ or ▼, the cost column's header names the account's currency
once known, and each sort the person makes is said (and posted, to be remembered). Rows, their
cells and the order they were given in are the subclass's: :class:`BulkTable`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from rich.text import Text
from textual.command import SimpleCommand
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowDoesNotExist

from lox24tui.tui.cells import COLUMNS, Cell, Column, reverse_sort_key, sort_key


class SortedTable(DataTable[Cell]):
    """Sorting for the watch table: the actions of its keys s and S (declared with the table's
    other keys, in the order the footer shows them), the "Sort by…" picker, and a click on a
    header."""

    @dataclass
    class SortChanged(Message):
        """The person sorted the table (not a re-sort after an update): worth remembering."""

        table: SortedTable
        column: str | None
        reverse: bool

        @property
        def control(self) -> SortedTable:
            return self.table

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row")
        self.specs: tuple[Column, ...] = COLUMNS
        """The columns shown, in order (the subclass may show more)."""
        self.sort_column: str | None = None
        self.sort_reverse = False
        self._currency: str | None = None
        self.key_name: Callable[[str], str] = lambda binding_id: binding_id
        """The key that runs a binding now (the session's), for notices that name one."""

    @property
    def selected_id(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except (RowDoesNotExist, KeyError, IndexError):
            return None
        return key.value

    def select(self, bulk_id: str, *, scroll: bool = True) -> None:
        with contextlib.suppress(RowDoesNotExist):
            self.move_cursor(row=self.get_row_index(bulk_id), scroll=scroll)

    def given_order(self) -> Iterable[str]:
        """The row keys in the order they were given: the order when no column is sorted."""
        return [str(row.key.value) for row in self.ordered_rows]

    def _add_the_rest(self) -> None:
        """Rows still to come are added before a sort (none here)."""

    def sort_by(self, column: str | None, reverse: bool = False, *, scroll: bool = True) -> None:
        """Sort (None: the order the rows were given in, the watch list's); the sorted column's
        header shows ▲ or ▼. The cursor follows its bulk, and the view follows the cursor only
        when ``scroll`` (a user's sort), not on re-sorts after updates."""
        self.sort_column, self.sort_reverse = column, reverse
        self._title_columns()
        self._add_the_rest()
        selected = self.selected_id
        self._apply_sort()  # a sort redraws the whole table, the headers too
        if selected is not None:
            self.select(selected, scroll=scroll)

    def show_currency(self, currency: str | None) -> None:
        """The account's currency, once known, heads the cost column (its cells are amounts
        alone, which leaves room for the other columns at 120 terminal columns)."""
        if currency != self._currency:
            self._currency = currency
            self._title_columns()
            self.refresh()

    def _title_columns(self) -> None:
        arrow = " ▼" if self.sort_reverse else " ▲"
        for spec in self.specs:
            title = spec.title
            if spec.key == "cost" and self._currency:
                title += f" {self._currency}"
            if spec.key == self.sort_column:
                title += arrow
            self.columns[ColumnKey(spec.key)].label = Text(title)

    def _apply_sort(self) -> None:
        if self.sort_column is not None:
            key = reverse_sort_key if self.sort_reverse else sort_key
            self.sort(self.sort_column, key=key, reverse=self.sort_reverse)
            return
        # Row keys are bulk ids, and so are the values the id column sorts by.
        given = {bulk_id: index for index, bulk_id in enumerate(self.given_order())}
        self.sort("id", key=lambda cell: given[cell.sort_value])

    def _say_sort(self) -> None:
        self.post_message(self.SortChanged(self, self.sort_column, self.sort_reverse))
        title = next((c.title for c in self.specs if c.key == self.sort_column), None)
        order = "descending" if self.sort_reverse else "ascending"
        self.notify(f"Sorted by {title}, {order}" if title else "Watch-list order", timeout=2)

    def action_sort_next(self) -> None:
        """The next column, ascending; after the last one, the watch list's own order."""
        keys = [column.key for column in self.specs]
        index = 0 if self.sort_column is None else keys.index(self.sort_column) + 1
        self.sort_by(keys[index] if index < len(keys) else None)
        self._say_sort()

    def action_reverse_sort(self) -> None:
        if self.sort_column is None:
            key = self.key_name("sort.next")
            self.notify(
                f"The table is in watch-list order: {key} sorts it by a column first.",
                markup=False,
            )
            return
        self.sort_by(self.sort_column, not self.sort_reverse)
        self._say_sort()

    def action_pick_sort(self) -> None:
        """The "Sort by…" picker: one entry per column, and the watch list's own order."""
        choices = [
            SimpleCommand(
                column.title,
                partial(self._sort_picked, column.key),
                f"Sort by {column.title}, ascending (S reverses it)",
            )
            for column in self.specs
        ]
        choices.append(
            SimpleCommand(
                "Watch-list order", partial(self._sort_picked, None), "The order of the watch list"
            )
        )
        self.app.search_commands(choices, placeholder="Sort by…")

    def _sort_picked(self, column: str | None) -> None:
        self.sort_by(column)
        self._say_sort()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        column = str(event.column_key.value)
        reverse = self.sort_column == column and not self.sort_reverse
        self.sort_by(column, reverse)
        self.post_message(self.SortChanged(self, column, reverse))
