"""The watch table: one row per watched bulk, keyed by bulk id, updated cell by cell.

Only cells whose text changed are touched (a changed cell makes the visible table redraw on the
next frame, however many changed), columns have fixed widths (re-measuring a column costs more
than the update), and the cursor stays on its bulk, not on a row index, through updates, sorts
and filters.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist

from lox24tui.tui.cells import COLUMNS, Cell, sort_key


class BulkTable(DataTable[Cell]):
    """Watched bulks. Row keys are bulk ids."""

    BINDINGS = [
        Binding("d", "remove", "Remove", tooltip="Stop watching the selected bulk (asks first)"),
        Binding("e", "edit_label", "Label", tooltip="Edit the selected bulk's label"),
        Binding("r", "refresh_bulk", "Refresh", tooltip="Fetch the selected bulk now"),
        Binding("c", "copy_id", "Copy id", tooltip="Copy the selected bulk's id"),
        Binding("s", "cycle_sort", "Sort", tooltip="Sort by the next column (again: reverse)"),
    ]
    """
    | Key | Action |
    | :- | :- |
    | d | Remove the selected bulk (after confirmation). |
    | e | Edit its label. |
    | r | Refresh it now. |
    | c | Copy its id. |
    | s | Sort by the next column. |
    """

    @dataclass
    class BulkAction(Message):
        """The user asked for something to happen to one bulk; the screen carries it out."""

        action: str
        bulk_id: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row")
        self._shown: dict[str, dict[str, str]] = {}
        self.sort_column: str | None = None
        self.sort_reverse = False

    def on_mount(self) -> None:
        for column in COLUMNS:
            self.add_column(column.title, width=column.width, key=column.key)

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

    def has(self, bulk_id: str) -> bool:
        return bulk_id in self._shown

    def set_rows(self, rows: dict[str, dict[str, Cell]]) -> None:
        """Show exactly these rows, in this order (then sorted, if a sort is on); the cursor
        stays on the bulk it was on when that bulk is still shown."""
        selected = self.selected_id
        scroll_y = self.scroll_y
        self.clear()
        self._shown.clear()
        for bulk_id, cells in rows.items():
            self.add_row(*(cells[c.key] for c in COLUMNS), key=bulk_id)
            self._shown[bulk_id] = {key: cell.plain for key, cell in cells.items()}
        self._apply_sort()
        self.scroll_to(y=scroll_y, animate=False, immediate=True)
        if selected is not None:
            self.select(selected, scroll=False)

    def add_bulk(self, bulk_id: str, cells: dict[str, Cell]) -> None:
        if bulk_id in self._shown:
            self.update_bulk(bulk_id, cells)
            return
        self.add_row(*(cells[c.key] for c in COLUMNS), key=bulk_id)
        self._shown[bulk_id] = {key: cell.plain for key, cell in cells.items()}

    def remove_bulk(self, bulk_id: str) -> None:
        """Remove a row; the cursor stays on the bulk it was on (the next one, if it was this)."""
        if self._shown.pop(bulk_id, None) is None:
            return
        selected = self.selected_id
        self.remove_row(bulk_id)
        if selected is not None and selected != bulk_id:
            self.select(selected, scroll=False)

    def update_bulk(self, bulk_id: str, cells: dict[str, Cell]) -> int:
        """Change the cells whose text changed; returns how many did."""
        shown = self._shown.get(bulk_id)
        if shown is None:
            return 0
        changed = 0
        for key, cell in cells.items():
            if shown.get(key) != cell.plain or (key == "status" and shown.get(key) is None):
                self.update_cell(bulk_id, key, cell)
                shown[key] = cell.plain
                changed += 1
        return changed

    def sort_by(self, column: str | None, reverse: bool = False, *, scroll: bool = True) -> None:
        """Sort (None: watch-list order as added); the cursor follows its bulk, and the view
        follows the cursor only when ``scroll`` (a user's sort), not on re-sorts after updates."""
        self.sort_column, self.sort_reverse = column, reverse
        selected = self.selected_id
        self._apply_sort()
        if selected is not None:
            self.select(selected, scroll=scroll)

    def _apply_sort(self) -> None:
        if self.sort_column is not None and self.row_count:
            self.sort(self.sort_column, key=sort_key, reverse=self.sort_reverse)

    def action_cycle_sort(self) -> None:
        keys = [column.key for column in COLUMNS]
        if self.sort_column is None:
            self.sort_by(keys[0])
        elif not self.sort_reverse:
            self.sort_by(self.sort_column, reverse=True)
        else:
            index = keys.index(self.sort_column) + 1
            self.sort_by(keys[index] if index < len(keys) else None)
        title = next((c.title for c in COLUMNS if c.key == self.sort_column), None)
        order = "descending" if self.sort_reverse else "ascending"
        self.notify(f"Sorted by {title}, {order}" if title else "Watch-list order", timeout=2)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        column = str(event.column_key.value)
        reverse = self.sort_column == column and not self.sort_reverse
        self.sort_by(column, reverse)

    def _request(self, action: str) -> None:
        bulk_id = self.selected_id
        if bulk_id is None:
            self.notify("The watch list is empty: press a to add bulks.", severity="warning")
            return
        self.post_message(self.BulkAction(action, bulk_id))

    def action_remove(self) -> None:
        self._request("remove")

    def action_edit_label(self) -> None:
        self._request("edit_label")

    def action_refresh_bulk(self) -> None:
        self._request("refresh")

    def action_copy_id(self) -> None:
        bulk_id = self.selected_id
        if bulk_id is not None:
            self.app.copy_to_clipboard(bulk_id)
            self.notify(f"Copied {bulk_id}", timeout=3)
