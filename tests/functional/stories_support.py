"""A folder of articles with stories in it, for the stories UI tests and snapshots.

- *Cocoa*: a Reuters story, its corrected version a day later (one sentence changed, one
  added) and an AP copy under another headline: one story of three versions.
- *Ghana cocoa*: another story on the same topic (cocoa, the same week): related, never merged.
- Five unrelated stories (shipping, elections, a volcano, chess, a bakery), each its own.
"""

from __future__ import annotations

from pathlib import Path

from test_ui_support import write_article

COCOA = (
    "Showers continued throughout the week in the Bahia cocoa zone, alleviating the drought "
    "since early January and improving prospects for the coming temporao. "
    "Normal humidity levels have not been restored, Comissaria Smith said in its weekly review. "
    "The dry period means the temporao will be late this year. "
    "Arrivals for the week ended February 22 were 155,221 bags of 60 kilos, making a cumulative "
    "total for the season of 5.93 mln against 5.81 at the same stage last year. "
    "Again it seems that cocoa delivered earlier on consignment was included in the arrivals "
    "figures. "
    "Comissaria Smith said there is still some doubt as to how much old crop cocoa is still "
    "available as harvesting has practically come to an end. "
    "With total Bahia crop estimates around 6.4 mln bags and sales standing at almost 6.2 mln "
    "there are a few hundred thousand bags still in the hands of farmers, middlemen, exporters "
    "and processors."
)
#: The sentence the correction replaced, and what it says instead, and the one it added.
COCOA_REMOVED = "The dry period means the temporao will be late this year."
COCOA_CHANGED = "The dry period means the temporao will be about three weeks late this year."
COCOA_ADDED = "The corrected figures were issued by the Bahia trade board on Friday."
COCOA_CORRECTED = COCOA.replace(COCOA_REMOVED, COCOA_CHANGED) + " " + COCOA_ADDED
COCOA_AP = COCOA.replace("Showers continued throughout the week", "Rain fell all week")

GHANA = (
    "Ghana's cocoa board raised the price it pays farmers for the main crop on Thursday, "
    "hoping to stop beans being smuggled into neighbouring Ivory Coast. "
    "The board said the new price of 150,000 cedis a tonne would apply from the start of the "
    "season. Farmers' groups welcomed the cocoa price rise but said fertiliser costs had "
    "doubled. Cocoa exports from Ghana fell last season as the harvest suffered from drought "
    "and disease in the western region."
)

OTHERS = {
    "shipping": (
        "Port strike ends after ten days",
        "Dock workers at the northern port voted to return to work after ten days on strike. "
        "Their union accepted a pay offer of six percent over two years. Shipping lines said "
        "the backlog of containers would take a fortnight to clear. Hauliers queued for miles "
        "on the approach roads as the cranes started moving again.",
    ),
    "election": (
        "Mayor wins second term",
        "The mayor won a second term on Sunday with 54 percent of the vote, promising new "
        "tram lines and cheaper parking. Turnout was the lowest in twenty years. Her rival "
        "conceded shortly after midnight and called for unity on the city council, where no "
        "party holds a majority.",
    ),
    "volcano": (
        "Volcano erupts near the harbour",
        "The volcano erupted at dawn, sending ash over the harbour and the fishing fleet. "
        "Flights were diverted to the mainland. Geologists said the eruption was small and "
        "the mountain is quiet again; residents swept ash from their roofs all afternoon.",
    ),
    "chess": (
        "Teenager takes chess title",
        "A sixteen year old won the national chess championship in a rapid playoff, beating "
        "the defending champion with the black pieces. She learned the game from her "
        "grandfather and trains online every evening after school.",
    ),
    "bakery": (
        "Village bakery reopens",
        "The village bakery reopened on Saturday after a fire closed it last spring. Queues "
        "formed before seven for the sourdough loaves. The owners thanked neighbours who "
        "raised money to replace the ovens and the roof.",
    ),
}


def write_stories(folder: Path) -> Path:
    """The folder above, filled; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    write_article(
        folder,
        "cocoa.txt",
        "Bahia cocoa review",
        COCOA,
        date="1987-02-26T09:00:00",
        source="Reuters",
        url="https://news.example/cocoa",
    )
    write_article(
        folder,
        "cocoa-corrected.txt",
        "Bahia cocoa review (Corrected)",
        COCOA_CORRECTED,
        date="1987-02-27T10:00:00",
        source="Reuters",
        url="https://news.example/cocoa-corrected",
    )
    write_article(
        folder,
        "cocoa-ap.txt",
        "Rain eases drought in Brazil's cocoa zone",
        COCOA_AP,
        date="1987-02-26T15:00:00",
        source="AP",
        url="https://news.example/cocoa-ap",
    )
    write_article(
        folder,
        "ghana.txt",
        "Ghana raises cocoa price for farmers",
        GHANA,
        date="1987-02-25T12:00:00",
        source="BBC News",
        url="https://news.example/ghana",
    )
    for n, (name, (title, body)) in enumerate(OTHERS.items()):
        write_article(
            folder,
            f"{name}.txt",
            title,
            body,
            date=f"1987-02-{20 + n:02d}T08:00:00",
            source=("Geo Times", "AP", "BBC News", "Reuters", "Local")[n],
            url=f"https://news.example/{name}",
        )
    return folder
