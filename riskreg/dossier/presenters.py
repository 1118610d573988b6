"""Presenters of the dossier: its rows turned into what a page or a memo draws, with no query and no markup.

- ``exposure_groups``: the supply chain's listings grouped by listing, each with who is on it in a phrase;
- ``heatmap_layout``: a likelihood x impact matrix with marks placed on it (the home page's models, a memo's risk
  items), geometry in SVG units so a template only draws it (templates/dossier/heatmap-1.svg);
- ``supply_chain_layout``: the supply chain as a left-to-right tree of boxes and curves.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from models_catalog.models import OrganisationRole
from riskreg.dossier.rows import RESTRICTIVE_LIST_STATUSES

ROLE_PHRASES = {
    OrganisationRole.CHIP_VENDOR: "vendor of the training hardware",
    OrganisationRole.COMPUTE_PROVIDER: "compute provider",
    OrganisationRole.HOST: "host / API provider",
}


def listing_label(authority: str, list_name: str) -> str:
    """'US Department of Commerce, BIS' + 'Entity List' -> 'BIS Entity List'."""
    short = (authority or "").rsplit(",", 1)[-1].strip()
    if short and len(short) <= 6 and short.lower() not in list_name.lower():
        return f"{short} {list_name}"
    return list_name


def exposure_groups(chain: list[dict]) -> list[dict]:
    """The chain's listings grouped by listing, each with who is on it in a phrase:
    [{"who": "Zhipu AI and 6 subsidiaries", "listing": "BIS Entity List", "citation": "90 FR 4617",
      "listed_on": "2025-01-16", "potential": False, "organisations": [...]}].
    Legal's sanctions note and a confirmed screening hit with the same citation are one listing."""
    groups: dict[str, dict] = {}
    for link in chain:
        if not link["listed"]:
            continue
        listings = [
            (
                n["citation"] or n["list_name"],
                listing_label(n["authority"], n["list_name"]),
                n["citation"],
                n["listed_on"],
                False,
            )
            for n in link["sanctions_notes"]
        ]
        seen = {key for key, *_ in listings}
        for entry in link["list_entries"]:
            if entry["status"] not in RESTRICTIVE_LIST_STATUSES:
                continue
            key = entry["citation"] or f"{entry['list_name']} {entry['entry_id']}"
            if key in seen:
                continue
            seen.add(key)
            listings.append(
                (key, entry["list_name"], entry["citation"], entry["listed_on"], entry["status"] == "potential")
            )
        for key, label, citation, listed_on, potential in listings:
            group = groups.setdefault(
                key,
                {"listing": label, "citation": citation, "listed_on": listed_on, "potential": True, "links": []},
            )
            if listed_on and (not group["listed_on"] or listed_on < group["listed_on"]):
                group["listed_on"] = listed_on
            group["potential"] = group["potential"] and potential
            if all(existing["organisation"]["id"] != link["organisation"]["id"] for existing in group["links"]):
                group["links"].append(link)
    result = []
    for group in groups.values():
        links = group.pop("links")
        group["who"] = _who(links)
        group["developer"] = any(link["role"] == OrganisationRole.DEVELOPER for link in links)
        group["organisations"] = [link["organisation"]["display_name"] for link in links]
        result.append(group)
    # Confirmed before potential; the developer's group first (it is whom we would deal with), then by date.
    return sorted(result, key=lambda g: (g["potential"], not g["developer"], g["listed_on"] or "9999"))


def _who(links: list[dict]) -> str:
    developer = next((link for link in links if link["role"] == OrganisationRole.DEVELOPER), None)
    affiliates = [link for link in links if link["role"] == OrganisationRole.AFFILIATE]
    subsidiaries = [link for link in affiliates if link["via"].startswith("subsidiary")]
    parents = [link for link in affiliates if link not in subsidiaries]
    others = [link for link in links if link["role"] not in (OrganisationRole.DEVELOPER, OrganisationRole.AFFILIATE)]
    parts = []
    if developer:
        text = developer["organisation"]["display_name"]
        if subsidiaries:
            text += f" and {len(subsidiaries)} subsidiar{'y' if len(subsidiaries) == 1 else 'ies'}"
        parts.append(text)
    elif subsidiaries:
        parts.append(
            subsidiaries[0]["organisation"]["display_name"] + f", {subsidiaries[0]['via']}"
            if len(subsidiaries) == 1
            else f"{len(subsidiaries)} {subsidiaries[0]['via'].replace('subsidiary', 'subsidiaries', 1)}"
        )
    for link in parents:
        parts.append(f"{link['organisation']['display_name']}, {link['via']}")
    for link in others:
        phrase = ROLE_PHRASES.get(link["role"], link["via"])
        parts.append(f"{link['organisation']['display_name']}, {phrase}")
    return "; ".join(parts)


@dataclass(frozen=True)
class HeatmapGeometry:
    """How big a heat map is drawn and how its marks sit in a cell: "named" marks (a dot, the name beside it, one
    under the other: the home page's models) or "ref" marks (a disc with a short reference inside, two a row:
    a memo's risk items R1, R2 ...)."""

    cell_w: int
    cell_h: int
    left: int
    top: int
    bottom: int
    marks: str  # "named" or "ref"
    per_cell: int


PAGE_HEATMAP = HeatmapGeometry(cell_w=128, cell_h=74, left=118, top=10, bottom=50, marks="named", per_cell=4)
MEMO_HEATMAP = HeatmapGeometry(cell_w=46, cell_h=46, left=96, top=6, bottom=44, marks="ref", per_cell=4)


def _tint(hex_colour: str, strength: float = 0.55) -> str:
    """The band colour mixed with white, opaque (no transparency group per cell in a PDF)."""
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    try:
        channels = [int(value[i : i + 2], 16) for i in (0, 2, 4)]
    except ValueError:
        channels = [0x77, 0x77, 0x77]
    return "#" + "".join(f"{round(strength * c + (1 - strength) * 255):02x}" for c in channels)


def heatmap_layout(*, matrix: dict | None, marks: list[dict], geometry: HeatmapGeometry = PAGE_HEATMAP) -> dict | None:
    """Marks on a matrix (a riskreg.dossier.risk.matrix_row): the cells (x, y, colour, its tint, band) and each
    mark placed by its "likelihood" x "impact" (marks without both are left out; past ``per_cell`` in a cell they
    are counted in the cell's "+N" and listed as hidden). Geometry in SVG units, so a template only draws
    (templates/dossier/heatmap-1.svg, for the page and the memo alike)."""
    if matrix is None:
        return None
    g = geometry
    size_l, size_i = len(matrix["likelihood_labels"]), len(matrix["impact_labels"])
    bands = {(cell["likelihood"], cell["impact"]): cell for cell in matrix["cells"]}
    cells = []
    for lk in range(size_l, 0, -1):
        for im in range(1, size_i + 1):
            level = bands.get((lk, im), {})
            colour = level.get("colour", "#777777")
            cells.append(
                {
                    "x": g.left + (im - 1) * g.cell_w,
                    "y": g.top + (size_l - lk) * g.cell_h,
                    "colour": colour,
                    "tint": _tint(colour),
                    "name": level.get("name", ""),
                }
            )
    placed_marks, counts = [], defaultdict(int)
    for row in marks:
        lk, im = row["likelihood"], row["impact"]
        if not lk or not im:
            continue
        slot = counts[(lk, im)]
        counts[(lk, im)] += 1
        x0, y0 = g.left + (im - 1) * g.cell_w, g.top + (size_l - lk) * g.cell_h
        if g.marks == "ref":
            x, y = x0 + 13 + (slot % 2) * 20, y0 + 20 + (slot // 2) * 17
        else:
            x, y = x0 + 10, y0 + 16 + slot * 17
        placed_marks.append({**row, "x": x, "y": y, "overflow": slot >= g.per_cell})
    more = [
        {"x": g.left + im * g.cell_w - 4, "y": g.top + (size_l - lk + 1) * g.cell_h - 4, "count": n - g.per_cell}
        for (lk, im), n in counts.items()
        if n > g.per_cell
    ]
    return {
        "width": g.left + size_i * g.cell_w + (10 if g.marks == "named" else 4),
        "height": g.top + size_l * g.cell_h + g.bottom,
        "cell_w": g.cell_w,
        "cell_h": g.cell_h,
        "style": g.marks,
        "cells": cells,
        "marks": [m for m in placed_marks if not m["overflow"]],
        "hidden": [m for m in placed_marks if m["overflow"]],
        "more": more,
        "likelihood_axis": [
            {"n": n, "label": label, "y": g.top + (size_l - n) * g.cell_h + g.cell_h / 2}
            for n, label in enumerate(matrix["likelihood_labels"], start=1)
        ],
        "impact_axis": [
            {"n": n, "label": label, "x": g.left + (n - 1) * g.cell_w + g.cell_w / 2}
            for n, label in enumerate(matrix["impact_labels"], start=1)
        ],
        "axis_y": g.top + size_l * g.cell_h,
        "left": g.left,
        "top": g.top,
        "middle_x": g.left + size_i * g.cell_w / 2,
        "middle_y": g.top + size_l * g.cell_h / 2,
    }


def risk_item_marks(items: list[dict], *, matrix_id: int) -> list[dict]:
    """A memo's risk items as heat-map marks: each at its residual position (inherent where not assessed), with
    its reference; a proposed item's mark is dashed (it does not count)."""
    return [
        {
            "likelihood": item["effective"]["likelihood"],
            "impact": item["effective"]["impact"],
            "label": item["ref"],
            "dashed": item["status"] != "accepted",
        }
        for item in items
        if item["effective"] and item["matrix_id"] == matrix_id
    ]


NODE_COLOURS = {
    "model": ("#37474f", "#ffffff"),
    "listed": ("#b71c1c", "#ffffff"),
    "potential": ("#f9a825", "#1d1d1d"),
    "clear": ("#ffffff", "#1d1d1d"),
    "product": ("#eceff1", "#1d1d1d"),
}


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def supply_chain_layout(snapshot: dict) -> dict:
    """The supply chain as a left-to-right tree for an inline SVG: model -> developer -> its parent and
    subsidiaries; model -> training hardware -> its vendor; model -> compute provider / host. Each organisation
    node is coloured by its exposure (listed, potential match, clear). Geometry is computed here."""
    columns = (8, 248, 608)
    widths = (200, 310, 400)
    node_h, pitch, top = 42, 52, 34
    chain = {link["organisation"]["id"]: link for link in snapshot["supply_chain"]}
    by_name = {link["organisation"]["display_name"]: link for link in snapshot["supply_chain"]}
    nodes: list[dict] = []
    edges: list[dict] = []
    row = 0

    def exposure_of(link: dict | None) -> tuple[str, str]:
        if link is None:
            return "clear", "no list exposure recorded"
        groups = exposure_groups([link])
        if not groups:
            return "clear", "no list exposure"
        first = groups[0]
        kind = "potential" if first["potential"] else "listed"
        words = f"{first['listing']}{', ' + first['citation'] if first['citation'] else ''}"
        return kind, ("potential match: " if first["potential"] else "") + words

    def node(col: int, r: int, kind: str, title: str, sub: str) -> dict:
        fill, ink = NODE_COLOURS[kind]
        item = {
            "x": columns[col],
            "y": top + r * pitch,
            "w": widths[col],
            "h": node_h,
            "kind": kind,
            "fill": fill,
            "ink": ink,
            "title": _short(title, (24, 38, 50)[col]),
            "full_title": title,
            "sub": _short(sub, (30, 50, 64)[col]),
            "full_sub": sub,
        }
        nodes.append(item)
        return item

    def org_node(col: int, r: int, link: dict, role_words: str) -> dict:
        kind, words = exposure_of(link)
        org = link["organisation"]
        return node(col, r, kind, org["display_name"], f"{org['country']} · {role_words} · {words}")

    def edge(a: dict, b: dict) -> None:
        x1, y1 = a["x"] + a["w"], a["y"] + a["h"] / 2
        x2, y2 = b["x"], b["y"] + b["h"] / 2
        mid = (x1 + x2) / 2
        edges.append({"d": f"M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"})

    branches: list[tuple[dict, list[dict]]] = []
    developer_id = snapshot["model"]["developer"]["id"]
    developer = chain.get(developer_id)
    if developer:
        group = [link for link in snapshot["supply_chain"] if link["role"] == OrganisationRole.AFFILIATE]
        first = org_node(1, row, developer, "developer")
        children = []
        for i, link in enumerate(group):
            words = "parent" if link["via"].startswith("parent") else "subsidiary"
            children.append(org_node(2, row + i, link, words))
        branches.append((first, children))
        row += max(1, len(group))
    for claim in snapshot["claims"]:
        if claim["subject"] != "training_hardware" or not claim["accelerator"]:
            continue
        accelerator = claim["accelerator"]
        product = node(1, row, "product", accelerator["product"], f"training hardware · {claim['confidence_label']}")
        vendor_link = chain.get(accelerator["vendor_id"])
        children = [org_node(2, row, vendor_link, "chip vendor")] if vendor_link else []
        branches.append((product, children))
        row += 1
    for claim in snapshot["claims"]:
        link = by_name.get(claim["organisation"] or "")
        if link is None or link["role"] not in (OrganisationRole.COMPUTE_PROVIDER, OrganisationRole.HOST):
            continue
        branches.append((org_node(1, row, link, str(link["role_label"]).lower()), []))
        row += 1
    rows = max(row, 1)
    model = snapshot["model"]
    model_row = (rows - 1) / 2
    root = node(0, 0, "model", model["name"], f"{model['developer']['display_name']} · {model['licence']}")
    root["y"] = top + model_row * pitch
    for first, children in branches:
        edge(root, first)
        for child in children:
            edge(first, child)
    return {
        "width": columns[2] + widths[2] + 12,
        "height": top + rows * pitch + 4,
        "nodes": nodes,
        "edges": edges,
        "headings": [
            {"x": columns[0], "text": "Model"},
            {"x": columns[1], "text": "Developer, training hardware, compute"},
            {"x": columns[2], "text": "Group companies, chip vendors"},
        ],
        "listed": sum(1 for n in nodes if n["kind"] == "listed"),
    }
