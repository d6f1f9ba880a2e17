"""``lotsen directory new-municipality 0484``: a municipality's own directory file to fill in.

The file names the municipality, its code and county, and holds its two entries every
municipality has (social services' intake and the socialjour), with comments in Swedish saying
where on the municipality's pages each fact is found; the coordinator, support for relatives
and mentors follow as commented-out entries. Every fact left to fill in reads ``FYLL I``
(or ``ÅÅÅÅ-MM-DD``), which ``lotsen validate`` refuses at its line, so a half-filled file
cannot go live by mistake; once filled from the municipality's pages it passes.
"""

from __future__ import annotations

import re
import unicodedata

from bot.directory.model import Area

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})


def slug(name: str) -> str:
    """``upplands_vasby`` for Upplands Väsby: an id (a-z, 0-9, _) and a file name."""
    folded = unicodedata.normalize("NFC", name.lower()).translate(_FOLD)
    words = re.findall(r"[a-z0-9]+", folded)
    return "_".join(words)


def template(area: Area, county: Area) -> str:
    """The filled-in template for ``area`` (a municipality) in ``county``."""
    key = slug(area.name)
    return _TEMPLATE.format(
        name=area.name,
        code=area.code,
        county=county.name,
        key=key,
        file=f"{key.replace('_', '-')}.yaml",
    )


_TEMPLATE = """\
# yaml-language-server: $schema=../../../bot/flows/schema/services.schema.json
#
# {name} kommun ({code}), {county}: kommunens egna uppgifter i Lotsens katalog.
#
# Så fyller du i filen:
#   1. Ersätt varje FYLL I och ÅÅÅÅ-MM-DD med det som står på kommunens egna webbsidor.
#      Skriv telefonnummer och tider exakt som sidan skriver dem. Gissa aldrig: står något
#      inte på sidan, ta bort raden. Då säger Lotsen ingenting om det.
#   2. source_url är adressen till sidan där du läste uppgifterna; verified är dagen du
#      läste dem. Lotsen visar en uppgift som äldre än 12 månader utan telefonnummer och tider.
#   3. Skriv aldrig en persons namn: skriv rollen och hur man når den (till exempel
#      "kommunens samordnare, via växeln"). `lotsen validate` säger till om ett namn.
#   4. Kör `lotsen validate content`: den visar fil:rad:kolumn för varje rad som återstår.
#   5. Kör `lotsen directory report`: {name} ska stå med sina uppgifter.
#   6. Skriv ett samtalstest (content/tests/, se README: "Adding your municipality").
services:
  {key}_socialtjanst:
    organization: {name} kommun
    name: Socialtjänstens mottagning i {name}
    # Finns oftast på sidan "Orosanmälan" eller "Kontakta socialtjänsten". En eller två
    # meningar, på enkel svenska, om vad man kan få hjälp med.
    description: >-
      Du kan be om stöd för dig och din familj, och göra en orosanmälan. FYLL I
    topics: [social_services]
    areas: ["{code}"]
    phones:
      # Mottagningens nummer, eller kommunens växel (kontaktcenter) om sidan hänvisar dit.
      - number: "FYLL I"
        description: FYLL I (till exempel "Mottagningen" eller "Kontaktcenter")
    # Sidan som en person kan öppna för att läsa mer (https).
    web: FYLL I
    # Mottagningens telefontider, som sidan anger dem. Ta bort hela hours om sidan inte
    # anger några tider. weekdays = måndag-fredag.
    hours:
      weekly:
        - {{days: weekdays, opens: "FYLL I", closes: "FYLL I"}}
      public_holidays: closed
    # Kan man fråga om råd utan att säga sitt eller barnets namn? Skriv bara det sidan säger.
    anonymity: >-
      FYLL I
    source: "{name} kommuns webbplats, sidan FYLL I"
    source_url: FYLL I
    verified: ÅÅÅÅ-MM-DD
    status: active

  {key}_socialjour:
    organization: {name} kommun
    name: Socialjouren i {name}
    description: >-
      Socialtjänstens jour utanför kontorstid, för akuta ärenden som inte kan vänta.
    topics: [out_of_hours]
    areas: ["{code}"]
    phones:
      # Har socialjouren ett eget nummer, skriv det här. Når man den genom 112, skriv
      #   - number: "112"
      #     description: Ring 112 och fråga efter socialjouren
      - number: "FYLL I"
        description: FYLL I
    # Socialjourens tider, som sidan anger dem. En period över midnatt skrivs som två:
    # {{days: [fri], opens: "16:00", closes: "24:00"}} och {{days: [sat], opens: "00:00", ...}}.
    hours:
      weekly:
        - {{days: weekdays, opens: "FYLL I", closes: "FYLL I"}}
      public_holidays: open
    source: "{name} kommuns webbplats, sidan FYLL I"
    source_url: FYLL I
    verified: ÅÅÅÅ-MM-DD
    status: active

  # Har kommunen en samordnare mot våldsbejakande extremism? Ta bort # framför raderna om
  # sidan säger hur man når den. Rollen och vägen dit, aldrig personens namn.
  # {key}_samordnare:
  #   organization: {name} kommun
  #   name: Samordnaren mot våldsbejakande extremism i {name}
  #   description: >-
  #     Kommunens kontaktperson i frågor om våldsbejakande extremism. FYLL I
  #   topics: [coordinator, worried_relative]
  #   areas: ["{code}"]
  #   phones:
  #     - number: "FYLL I"
  #       description: Kommunens växel, fråga efter samordnaren
  #   web: FYLL I
  #   source: "{name} kommuns webbplats, sidan FYLL I"
  #   source_url: FYLL I
  #   verified: ÅÅÅÅ-MM-DD
  #   status: active

  # Stöd för anhöriga, mentorer eller avhopparverksamhet: en post var, på samma sätt, med
  # topics [worried_relative], [mentors] eller [leaving].

# Filen heter {file}. Se också example-kommun.yaml: ett fullständigt exempel med alla fält.
"""
