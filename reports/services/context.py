"""Template context for a memo, computed from the snapshot alone (pure functions, no database)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from reports.colours import safe_colour
from reports.services.versions import template_version
from riskreg.dossier.presenters import MEMO_HEATMAP, heatmap_layout, risk_item_marks

#: Figures drawn by our own code for this memo (the heat maps): the renderer hands them to WeasyPrint's fetcher
#: in memory (reports.services.render).
FIGURE_SCHEME = "riskreg-figure:"

CELL = 46  # px per heat-map cell (1px = 0.75pt in WeasyPrint)
LEFT = 96  # room for likelihood labels
BOTTOM = 44  # room for impact labels
TOP = 6


def _text(
    x: float, y: float, value: str, *, size: float = 8, anchor: str = "middle", weight: str = "normal", fill="#333"
):
    return format_html(
        '<text x="{}" y="{}" font-size="{}" text-anchor="{}" font-weight="{}" fill="{}" '
        'font-family="DejaVu Sans, Noto Sans CJK SC, sans-serif">{}</text>',
        f"{x:.1f}",
        f"{y:.1f}",
        size,
        anchor,
        weight,
        fill,
        value,
    )


def _tint(hex_colour: str, strength: float = 0.55) -> str:
    """The band colour mixed with white, as an opaque colour (what fill-opacity 0.55 on white showed, without
    a transparency group per cell in the PDF)."""
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    channels = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return "#" + "".join(f"{round(strength * c + (1 - strength) * 255):02x}" for c in channels)


def heatmap_svg(matrix: dict, items: list[dict], *, cell_scores: bool = False) -> SafeString:
    """A likelihood x impact grid as SVG (vector): cells in (tinted) band colours, each risk item's
    residual position (inherent when not assessed) marked with its reference (R1, R2 ...). The cells carry no
    score numbers: the legend beside the map gives the bands' score ranges (each text node costs a Pango layout).
    Every text value goes through format_html, so data cannot inject markup."""
    rows = len(matrix["likelihood_labels"])
    cols = len(matrix["impact_labels"])
    width = LEFT + cols * CELL + 4
    height = TOP + rows * CELL + BOTTOM
    colour = {(c["likelihood"], c["impact"]): safe_colour(c.get("colour")) for c in matrix["cells"]}
    parts: list[str] = []
    for lk in range(1, rows + 1):
        y = TOP + (rows - lk) * CELL
        for im in range(1, cols + 1):
            x = LEFT + (im - 1) * CELL
            fill = colour.get((lk, im), "#eeeeee")
            if cell_scores:  # template memo-2 (kept so its memos re-render byte for byte)
                parts.append(
                    format_html(
                        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" fill-opacity="0.55" '
                        'stroke="#ffffff" stroke-width="2"/>',
                        x,
                        y,
                        CELL,
                        CELL,
                        fill,
                    )
                )
                parts.append(_text(x + CELL - 4, y + 10, str(lk * im), size=6.5, anchor="end", fill="#555"))
                continue
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#ffffff" stroke-width="2"/>',
                    x,
                    y,
                    CELL,
                    CELL,
                    _tint(fill),
                )
            )
        parts.append(_text(LEFT - 6, y + CELL / 2 + 3, f"{lk} {matrix['likelihood_labels'][lk - 1]}", anchor="end"))
    for im in range(1, cols + 1):
        x = LEFT + (im - 1) * CELL + CELL / 2
        parts.append(_text(x, TOP + rows * CELL + 12, str(im), anchor="middle"))
        parts.append(_text(x, TOP + rows * CELL + 22, matrix["impact_labels"][im - 1], size=6.5))
    parts.append(_text(LEFT + cols * CELL / 2, height - 4, "Impact", weight="bold"))
    parts.append(
        format_html(
            '<text x="0" y="0" font-size="8" font-weight="bold" text-anchor="middle" fill="#333" '
            'font-family="DejaVu Sans, sans-serif" transform="translate(9 {}) rotate(-90)">Likelihood</text>',
            f"{TOP + rows * CELL / 2:.1f}",
        )
    )

    placed: dict[tuple[int, int], list[dict]] = {}
    for item in items:
        rating = item["effective"]
        if rating and item["matrix_id"] == matrix["id"]:
            placed.setdefault((rating["likelihood"], rating["impact"]), []).append(item)
    for (lk, im), here in placed.items():
        x0 = LEFT + (im - 1) * CELL
        y0 = TOP + (rows - lk) * CELL
        for index, item in enumerate(here[:4]):
            cx = x0 + 13 + (index % 2) * 20
            cy = y0 + 20 + (index // 2) * 17
            proposed = item["status"] != "accepted"
            parts.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="8.5" fill="{}" stroke="#222" stroke-width="0.8"{}/>',
                    cx,
                    cy,
                    "#ffffff" if proposed else "#222222",
                    mark_safe(' stroke-dasharray="2 1.5"') if proposed else "",
                )
            )
            parts.append(_text(cx, cy + 2.6, item["ref"], size=7, weight="bold", fill="#222" if proposed else "#fff"))
        if len(here) > 4:
            parts.append(_text(x0 + CELL - 4, y0 + CELL - 4, f"+{len(here) - 4}", size=7, anchor="end"))
    svg = format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" width="{}" height="{}" viewBox="0 0 {} {}">',
        width,
        height,
        width,
        height,
    )
    return mark_safe(svg + "".join(str(p) for p in parts) + "</svg>")


def shared_heatmap_svg(matrix: dict, items: list[dict], *, template: str) -> SafeString:
    """The heat map the page draws too (``template``, e.g. templates/dossier/heatmap-1.svg, from
    riskreg.dossier.presenters), as a standalone SVG figure: each risk item at its residual position (inherent where
    not assessed), by reference."""
    layout = heatmap_layout(matrix=matrix, marks=risk_item_marks(items, matrix_id=matrix["id"]), geometry=MEMO_HEATMAP)
    title = f"Heat map: {matrix['name']}"
    return mark_safe(render_to_string(template, {"heatmap": layout, "title": title, "standalone": True}))


def _title(s: dict) -> str:
    if s["kind"] == "portfolio":
        return "Portfolio risk report"
    title = f"Risk memo: {s['model']['name']}"
    if s["kind"] == "request" and s["request"]:
        title += f", adoption request #{s['request']['id']}"
    return title


def _listing(link: dict) -> str:
    """'Zhipu AI (Entity List, 90 FR 4617)' for the cover."""
    citations = [n["citation"] for n in link["sanctions_notes"]] or [
        e["citation"] for e in link["list_entries"] if e["citation"]
    ]
    lists = [n["list_name"] for n in link["sanctions_notes"]] or [e["list_name"] for e in link["list_entries"]]
    name = link["organisation"]["short_name"] or link["organisation"]["name"]
    detail = ", ".join(dict.fromkeys([*lists[:1], *citations]))
    return f"{name} ({detail})" if detail else name


def _listing_key(link: dict) -> tuple:
    """What a link is listed under: its citations (90 FR 4617), else its list names, else the organisation."""
    citations = {n["citation"] for n in link["sanctions_notes"] if n["citation"]}
    citations |= {e["citation"] for e in link["list_entries"] if e["citation"]}
    if citations:
        return ("citation", *sorted(citations))
    lists = {n["list_name"] for n in link["sanctions_notes"]} | {e["list_name"] for e in link["list_entries"]}
    return ("list", *sorted(lists)) if lists else ("organisation", link["organisation"]["id"])


def listing_blocks(chain: list[dict]) -> list[dict]:
    """One block per listing (template memo-4): the organisations of the chain named under the same citation
    (Zhipu AI and its six subsidiaries under 90 FR 4617) share one block that names each member, instead of one
    repeated block per organisation. In chain order (developer first)."""
    blocks: dict[tuple, dict] = {}
    for link in chain:
        if not (link["list_entries"] or link["sanctions_notes"]):
            continue
        key = _listing_key(link)
        block = blocks.setdefault(
            key, {"citations": [], "lists": [], "listed_on": [], "sources": [], "members": [], "listed": False}
        )
        for note in link["sanctions_notes"]:
            block["lists"].append(
                f"{note['list_name']} ({note['authority']})" if note["authority"] else note["list_name"]
            )
            block["listed_on"].append(note["listed_on"])
            block["sources"].append(note["source"])
        for entry in link["list_entries"]:
            block["lists"].append(
                f"{entry['list_name']}, {entry['authority']}" if entry["authority"] else entry["list_name"]
            )
            block["listed_on"].append(entry["listed_on"])
        block["citations"].extend(c for c in key[1:] if key[0] == "citation")
        block["listed"] = block["listed"] or link["listed"]
        block["members"].append(link)
    result = []
    for block in blocks.values():
        notes = [n for link in block["members"] for n in link["sanctions_notes"]]
        result.append(
            {
                "citations": list(dict.fromkeys(block["citations"])),
                "lists": list(dict.fromkeys(block["lists"])),
                "name": (notes[0]["list_name"] if notes else block["members"][0]["list_entries"][0]["list_name"]),
                "listed_on": sorted({d for d in block["listed_on"] if d}),
                "sources": sorted({n for n in block["sources"] if n}),
                "members": block["members"],
                "listed": block["listed"],
            }
        )
    return result


def _cover_listing(block: dict) -> str:
    """'Entity List, 90 FR 4617: Zhipu AI and 6 group members' for the cover."""
    first = block["members"][0]["organisation"]
    name = first["short_name"] or first["name"]
    others = len(block["members"]) - 1
    who = f"{name} and {others} group member{'s' if others != 1 else ''}" if others else name
    where = ", ".join([block["name"], *block["citations"]])
    return f"{where}: {who}"


def memo_context(snapshot: dict) -> dict:
    s = snapshot
    cell_scores = template_version(s).heatmap_cell_scores
    context = {
        "s": s,
        "title": _title(s),
        "watermark": s.get("approval", {}).get("watermark", ""),
        "short_hash": "",
    }
    if s["kind"] == "portfolio":
        return context
    items = s["risk"]["items"]
    by_ref = {item["ref"]: item for item in items}
    blocks = listing_blocks(s["supply_chain"])
    # Heat maps go to WeasyPrint as SVG images (<img src="riskreg-figure:...">), not inline <svg>: inline,
    # each of their ~80 elements would also go through the HTML cascade and box building (same PDF either way).
    version = template_version(s)
    heatmaps = [
        {
            "matrix": matrix,
            "svg": shared_heatmap_svg(matrix, items, template=version.heatmap)
            if version.heatmap
            else heatmap_svg(matrix, items, cell_scores=cell_scores),
            "src": figure_url(f"heatmap-{index}.svg"),
        }
        for index, matrix in enumerate(s["risk"]["matrices"], start=1)
    ]
    context.update(
        {
            "drivers": [by_ref[ref] for ref in s["risk"]["drivers"]],
            "heatmaps": heatmaps,
            "figures": {h["src"]: str(h["svg"]) for h in heatmaps},
            "listed_count": sum(1 for link in s["supply_chain"] if link["listed"]),
            "chain_detailed": [link for link in s["supply_chain"] if link["list_entries"] or link["sanctions_notes"]],
            "chain_clear": [
                link for link in s["supply_chain"] if not (link["list_entries"] or link["sanctions_notes"])
            ],
            "hardware_claims": [c for c in s["claims"] if c["subject"] == "training_hardware"],
            "listed_names": [_listing(link) for link in s["supply_chain"] if link["listed"]],
            # template memo-4: one block per listing, and the cover names each listing once
            "listing_blocks": blocks,
            "listed_blocks_cover": [_cover_listing(block) for block in blocks if block["listed"]],
            "current_requests": [r for r in s["requests"] if r["current"]],
        }
    )
    if s.get("use_obligations"):  # memo-6: a request memo's obligations of the use, ours and the developer's
        items = s["use_obligations"]["items"]
        context["use_ours"] = [o for o in items if o["holder"] == "us"]
        context["use_developer"] = [o for o in items if o["holder"] == "developer"]
        context["use_ahead"] = [o for o in context["use_ours"] if not o["in_force"]]
    return context


def figure_url(name: str) -> str:
    return f"{FIGURE_SCHEME}{name}"
