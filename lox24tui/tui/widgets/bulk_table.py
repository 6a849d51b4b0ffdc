"""The watch table: one row per watched bulk, keyed by bulk id, updated cell by cell.

Only cells whose text changed are touched (a changed cell makes the visible table redraw on the
next frame, however many changed), columns are sized to their content and the table's width only
on mount, resize and changes of the rows shown (re-measuring a column on every update costs more
than the update), and the cursor stays on its bulk, not on a row index, through updates, sorts
and filters.

A long list is added in chunks: the first screenful at once, so it is drawn within a second of
start even at 10,000 bulks, the rest a chunk at a time, so keys work while it loads. The
rows still to come count as shown (``has``) and take their cells from the session when added.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rich.cells import cell_len
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region
from textual.message import Message
from textual.widgets.data_table import ColumnKey, RowKey

from lox24tui.tui.cells import (
    COLUMNS,
    ID_CHARS,
    Cell,
    Column,
    distinct_prefix,
    id_cell,
    short_id,
)
from lox24tui.tui.widgets.sorted_table import SortedTable

LABEL_MIN = next(column.min_width for column in COLUMNS if column.key == "label")
FIRST_ROWS = 120
"""Rows added before the first frame: more than the tallest screen shows."""
CHUNK_ROWS = 400
"""Rows added at a time after that (~40 ms on a busy core: keys wait no longer)."""
LINES_KEPT = 200
"""Rendered rows and lines the table keeps (four screens of 50 lines). DataTable keeps 1,000
lines and 10,000 cells, sized for any table; here the update count moves at every flush
(see _redraw_row), so they fill with renders of old counts: ~10 MiB that no frame reuses."""
CellsOf = Callable[[str], dict[str, Cell]]
"""A bulk's cells as they read now, by its id (every cell but the id's)."""


class BulkTable(SortedTable):
    """Watched bulks. Row keys are bulk ids."""

    BINDINGS = [
        Binding(
            "d",
            "request('remove')",
            "Remove",
            tooltip="Stop watching the selected bulk (asks first)",
            id="table.remove",
        ),
        Binding(
            "e",
            "request('label')",
            "Label",
            tooltip="Edit the selected bulk's label",
            show=False,
            id="table.label",
        ),
        Binding(
            "r",
            "request('refresh')",
            "Refresh",
            tooltip="Fetch the selected bulk now",
            show=False,
            id="table.refresh",
        ),
        Binding(
            "c",
            "copy_id",
            "Copy id",
            tooltip="Copy the selected bulk's id",
            show=False,
            id="table.copy_id",
        ),
        Binding(
            "s", "sort_next", "Sort", tooltip="Sort by the next column, ascending", id="sort.next"
        ),
        Binding(
            "S",
            "reverse_sort",
            "Reverse sort",
            tooltip="Reverse the order of the sorted column",
            show=False,
            id="sort.reverse",
        ),
    ]
    """
    | Key | Action |
    | :- | :- |
    | d | Remove the selected bulk (after confirmation). |
    | e | Edit its label. |
    | r | Refresh it now. |
    | c | Copy its id. |
    | s | Sort by the next column, ascending (after the last: watch-list order). |
    | S | Reverse the sort. |
    """

    @dataclass
    class BulkRequest(Message):
        """The user asked for something to happen to one bulk; the screen carries it out (it
        owns the watch list, the engine and the dialogs). One subclass per request, so each
        has a handler of its own instead of a dispatch on strings."""

        table: BulkTable
        bulk_id: str

        @property
        def control(self) -> BulkTable:
            """The table asked, as for Textual's own widget messages (``@on(..., "#bulks")``)."""
            return self.table

    class RemoveRequested(BulkRequest):
        """Stop watching the bulk (the screen asks first)."""

    class LabelEditRequested(BulkRequest):
        """Edit the bulk's label."""

    class RefreshRequested(BulkRequest):
        """Fetch the bulk now."""

    def __init__(self, *, columns: tuple[Column, ...] = COLUMNS, id: str | None = None) -> None:
        super().__init__(id=id)
        self.specs = columns
        self._row_render_cache = LRUCache(LINES_KEPT)
        self._cell_render_cache = LRUCache(LINES_KEPT * len(columns))
        self._row_renderable_cache = LRUCache(LINES_KEPT)
        self._line_cache = LRUCache(LINES_KEPT)
        self._shown: dict[str, None] = {}
        """The ids of the rows added, in the order given: the cells themselves are kept once,
        in the table's rows."""
        self._to_add: dict[str, None] = {}
        """The ids of a long list still to be added, in order (see the module's docstring)."""
        self._cells_of: CellsOf | None = None
        self._load = 0
        """Which list is being added: a chunk scheduled for an earlier one does nothing."""
        self._id_chars = ID_CHARS
        """Characters of each id shown: enough to tell the shown ids apart."""
        self._fit_due = False
        """An update outgrew its column: the columns are fitted again after this refresh."""
        self.time_cells: Callable[[str], dict[str, Cell]] | None = None
        """How a bulk's cells that age with the clock read now (set by the screen): the rows on
        screen are brought up to date by refresh_visible_times, and as they scroll into view."""

    def on_mount(self) -> None:
        self._add_columns()

    def _add_columns(self) -> None:
        for column in self.specs:
            self.add_column(column.title, width=column.min_width, key=column.key)

    def show_columns(self, specs: tuple[Column, ...]) -> None:
        """Show these columns instead (clicks and replies shown or hidden): the rows are made
        again, by the cells function of the last :meth:`set_rows`, which must give a cell for
        each; the cursor stays on its bulk. A sort by a column that goes away ends."""
        if specs == self.specs:
            return
        selected, scroll_y = self.selected_id, self.scroll_y
        bulk_ids = [*self._shown, *self._to_add]  # as given: the sort is applied again
        self.specs = specs
        self._cell_render_cache = LRUCache(LINES_KEPT * len(specs))
        if self.sort_column is not None and self.sort_column not in {c.key for c in specs}:
            self.sort_column, self.sort_reverse = None, False
            self.post_message(self.SortChanged(self, None, False))
        self.clear(columns=True)
        self._add_columns()
        self._title_columns()
        if self._cells_of is not None:
            self._put_rows(bulk_ids, self._cells_of, False, selected, scroll_y)

    def on_resize(self, _: events.Resize) -> None:
        self.fit_columns()

    def fit_columns(self) -> None:
        """Each column as wide as its widest text (and its least width); the label column takes
        what is left, up to its longest label (when too little is left, the table scrolls
        sideways); what remains after that goes to Checked, where failures are explained.

        Measured from the texts as they are now, on mount, resize and when the rows shown
        change, and once after a refresh in which an update outgrew its column (the first
        statuses after "checking…"), never per update."""
        self._fit_due = False
        rows = [self._data[RowKey(bulk_id)] for bulk_id in self._shown]
        widths = {
            column.key: max(
                [column.min_width, *(_plain_width(row.get(ColumnKey(column.key))) for row in rows)]
            )
            for column in self.specs
        }
        ids = (cell_len(short_id(bulk_id, self._id_chars)) for bulk_id in self._shown)
        widths["id"] = max([widths["id"], *ids])
        padding = 2 * self.cell_padding * len(self.specs)
        left = self._room() - padding - sum(w for key, w in widths.items() if key != "label")
        label = max(LABEL_MIN, min(left, widths["label"]))
        widths["label"] = label
        widths["fresh"] += max(0, left - label)
        if all(self.columns[ColumnKey(key)].width == width for key, width in widths.items()):
            return
        for key, width in widths.items():
            self.columns[ColumnKey(key)].width = width
        # What DataTable.add_column does after a change of widths: re-measure the virtual
        # size when next idle, and drop the lines rendered at the old widths.
        self._require_update_dimensions = True
        self._update_count += 1
        self.refresh()

    def _skip_measuring(self) -> None:
        """Every column has a width of its own (fit_columns), so DataTable's measuring of each
        new row's cells when next idle (~1.8 s CPU for 10,000 rows) would only set content
        widths no column uses. The table's virtual size is still recomputed then."""
        self._new_rows.clear()

    def _room(self) -> int:
        """The width cells can take: less a vertical scrollbar when the rows will need one
        (they may just have been added, before the scrollbar shows)."""
        width = self.size.width
        if self.row_count + int(self.show_header) > self.size.height:
            width -= self.styles.scrollbar_size_vertical
        return width

    def _values(self, bulk_id: str, cells: dict[str, Cell]) -> list[Cell]:
        return [
            id_cell(bulk_id, self._id_chars) if c.key == "id" else cells[c.key] for c in self.specs
        ]

    def _fit_ids(self) -> None:
        """The shown ids changed: show enough characters of each to tell them apart."""
        chars = distinct_prefix([*self._shown, *self._to_add])
        if chars != self._id_chars:
            self._id_chars = chars
            for bulk_id in self._shown:
                self.update_cell(bulk_id, "id", id_cell(bulk_id, chars))

    def has(self, bulk_id: str) -> bool:
        return bulk_id in self._shown or bulk_id in self._to_add

    @property
    def shown_ids(self) -> list[str]:
        """The bulks shown, in the order shown, with those of a long list still to come."""
        return [str(row.key.value) for row in self.ordered_rows] + list(self._to_add)

    @property
    def shown_count(self) -> int:
        """How many bulks ``shown_ids`` holds."""
        return self.row_count + len(self._to_add)

    def set_rows(self, bulk_ids: Iterable[str], cells_of: CellsOf) -> None:
        """Show exactly these bulks' rows, in this order (then sorted, if a sort is on); the
        cursor stays on the bulk it was on when that bulk is still shown.

        Into an empty table (at start), an unsorted long list is added in chunks: there is no
        cursor or scroll to keep. Otherwise every row is added now."""
        in_chunks = self.row_count == 0 and not self._to_add and self.sort_column is None
        self._put_rows(bulk_ids, cells_of, in_chunks, self.selected_id, self.scroll_y)

    def _put_rows(
        self,
        bulk_ids: Iterable[str],
        cells_of: CellsOf,
        in_chunks: bool,
        selected: str | None,
        scroll_y: float,
    ) -> None:
        self.clear()
        self._shown.clear()
        self._to_add = dict.fromkeys(bulk_ids)
        self._cells_of = cells_of
        self._id_chars = distinct_prefix(self._to_add)
        self._load += 1
        self._add_some(FIRST_ROWS if in_chunks else len(self._to_add), self._load)
        if not in_chunks:
            self.scroll_to(y=scroll_y, animate=False, immediate=True)
            if selected is not None:
                self.select(selected, scroll=False)

    def _add_some(self, count: int, load: int) -> None:
        """Add the next ``count`` rows of list ``load``; after its last, fit the columns and
        sort; before it, schedule the next chunk."""
        cells_of = self._cells_of
        if load != self._load or cells_of is None:
            return
        first = not self._shown
        below_screen = self.row_count > self.visible_rows().stop
        update_count = self._update_count
        for bulk_id in list(itertools.islice(self._to_add, count)):
            del self._to_add[bulk_id]
            self._shown[bulk_id] = None
            self.add_row(*self._values(bulk_id, cells_of(bulk_id)), key=bulk_id)
        self._skip_measuring()
        if below_screen:
            # Each add_row bumps the update count, which the render caches are keyed on, so
            # every row on screen would be rendered anew (~50 ms a frame, per chunk). Rows
            # added below the screen change none of the lines drawn, so their caches stay;
            # only the map of lines to rows (also keyed on the count) must grow.
            self._update_count = update_count
            self._offset_cache.clear()
        if self._to_add:
            if first:  # the first screenful: fitted to what it shows, drawn, then the rest
                self.fit_columns()
                self.call_after_refresh(self._add_some, CHUNK_ROWS, load)
            else:  # after what is already queued, such as keys, not after the next frame
                self.call_later(self._add_some, CHUNK_ROWS, load)
            return
        self._load += 1  # all in: a chunk still scheduled does nothing
        self.fit_columns()
        if self.sort_column is not None:  # else they are in the order given already
            self._apply_sort()

    def given_order(self) -> Iterable[str]:
        return self._shown

    def _add_the_rest(self) -> None:
        """Add every row still to come now (a sort, or a jump to the last row, needs them)."""
        if self._to_add:
            self._add_some(len(self._to_add), self._load)

    def action_scroll_bottom(self) -> None:
        """ctrl+end: the last row of the whole list, even while it is still being added."""
        self._add_the_rest()
        super().action_scroll_bottom()

    def add_bulk(self, bulk_id: str, cells: dict[str, Cell]) -> None:
        if bulk_id in self._to_add:
            return  # its cells are taken as it is added
        if bulk_id in self._shown:
            self.update_bulk(bulk_id, cells)
            return
        if self._to_add:  # a long list is still being added: this one after it
            self._to_add[bulk_id] = None
            return
        self._shown[bulk_id] = None
        self.add_row(*self._values(bulk_id, cells), key=bulk_id)
        self._skip_measuring()
        self._fit_ids()
        self.fit_columns()

    def remove_bulk(self, bulk_id: str) -> None:
        """Remove a row; the cursor stays on the bulk it was on (the next one, if it was this)."""
        if bulk_id in self._to_add:
            del self._to_add[bulk_id]
            return
        if bulk_id not in self._shown:
            return
        del self._shown[bulk_id]
        selected = self.selected_id
        self.remove_row(bulk_id)
        if selected is not None and selected != bulk_id:
            self.select(selected, scroll=False)
        self._fit_ids()
        self.fit_columns()

    def update_bulk(self, bulk_id: str, cells: dict[str, Cell]) -> int:
        """Change the cells whose text changed; returns how many did."""
        if bulk_id not in self._shown:
            return 0  # not shown, or still to be added (with its cells as they are then)
        changed = 0
        row = self._data[RowKey(bulk_id)]
        for key, cell in cells.items():
            column = ColumnKey(key)
            old = row.get(column)
            if old is None or old.plain != cell.plain:
                row[column] = cell  # update_cell, less its redraw of the whole table
                changed += 1
                if not self._fit_due and cell.cell_len > self.columns[column].width:
                    self._fit_due = True
                    self.call_after_refresh(self.fit_columns)
        if changed:
            self._redraw_row(bulk_id)
        return changed

    def _redraw_row(self, bulk_id: str) -> None:
        """Redraw one row whose cells changed, if it is on screen. DataTable.update_cell redraws
        every visible row (55-68 ms a frame at 160×45), however few changed; this redraws the
        lines that changed. The render caches are keyed on the update count: bumping it makes
        the changed row render anew, now or when it scrolls into view."""
        self._update_count += 1
        index = self._row_locations.get(RowKey(bulk_id))
        if index is not None and index in self.visible_rows():
            header = self.header_height if self.show_header else 0
            y = index - round(self.scroll_y) + header
            self.refresh(Region(0, y, self.size.width, 1))

    def refresh_visible_times(self) -> None:
        """Relative times age: update the time cells of the rows on screen whose text moved on.
        Only those: a row off screen is brought up to date as it scrolls into view, so a long
        list costs a screenful, not a walk over every row."""
        if self.time_cells is None:
            return
        locations = self._row_locations
        for index in self.visible_rows():
            key = locations.get_key(index)
            if key is not None and key.value is not None:
                self.update_bulk(key.value, self.time_cells(key.value))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        if round(old_value) != round(new_value):
            self.refresh_visible_times()  # before the rows scrolled into view are drawn
        super().watch_scroll_y(old_value, new_value)

    def visible_ids(self) -> list[str]:
        """The bulks on screen now, the selected one first: the engine counts their delivery
        before the rest's (Monitor.prioritise)."""
        locations = self._row_locations
        ids = [self.selected_id] if self.selected_id is not None else []
        for index in self.visible_rows():
            key = locations.get_key(index)
            if key is not None and key.value is not None and key.value not in ids:
                ids.append(key.value)
        return ids

    def visible_rows(self) -> range:
        """The indexes of the rows on screen now (every row is one line high)."""
        top = round(self.scroll_y)
        height = self.size.height - (self.header_height if self.show_header else 0)
        return range(top, min(self.row_count, top + max(0, height)))

    def action_request(self, what: str) -> None:
        """d, e and r: the screen is asked to remove, label or refresh the selected bulk."""
        request = {
            "remove": self.RemoveRequested,
            "label": self.LabelEditRequested,
            "refresh": self.RefreshRequested,
        }[what]
        bulk_id = self.selected_id
        if bulk_id is None:
            key = self.key_name("main.add")
            self.notify(
                f"The watch list is empty: press {key} to add bulks.",
                severity="warning",
                markup=False,
            )
            return
        self.post_message(request(self, bulk_id))

    def action_copy_id(self) -> None:
        bulk_id = self.selected_id
        if bulk_id is not None:
            self.app.copy_to_clipboard(bulk_id)
            self.notify(f"Copied {bulk_id}", timeout=3)


def _plain_width(cell: Cell | None) -> int:
    return 0 if cell is None else cell_len(cell.plain)
