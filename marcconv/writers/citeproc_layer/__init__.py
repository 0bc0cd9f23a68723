"""What marcconv changes in citeproc-py 0.11.1, in one place, each change with its reason.

citeproc-py is the engine; these are targeted changes that do not alter its
output (the golden files and the comparison with citeproc-js hold them to that):

* :class:`Bibliography` registers items with a set beside citeproc-py's list:
  its ``register`` tests ``key not in list`` for every item, which is quadratic;
  and when it renders a citation it finds an item's place (``keys.index``) and
  checks that the item is registered (``key in keys``, in ``is_bad``) with a
  dictionary (:class:`_Keys`): the scan made 40,000 APA items spend 18 s of 24
  in that one test.
* :func:`_if_render` reads the ``type`` and ``variable`` tests of each
  ``cs:if`` once, instead of asking lxml for each attribute at every test
  (APA makes about a hundred tests per entry).
* :func:`_get_macro` looks a macro up once per style, instead of
  running an XPath search over the whole style on every call (it is called for
  every ``<text macro=...>`` of every item, and by ``calls_variable`` when
  ``<group>`` decides whether to print; it was half of the time of an APA run).

* :func:`_xpath_search`, :func:`_get_root` and :func:`_reference` keep what
  citeproc-py looks up again and again on a
  style that does not change while it renders: each element's XPath searches
  (the enclosing layout, the citation or bibliography, a locale's terms: 15%
  of an APA run), each element's root, and a citation item's reference (a
  chain of four dictionary lookups behind properties, made a million times for
  800 items).  Its dictionaries raise ``VariableError`` through ``__missing__``
  rather than a Python ``__getitem__``, so a found variable costs a plain
  dictionary lookup.  The only attributes the layer sets while rendering
  (``variable`` on ``cs:names``, ``disambiguate`` on ``cs:if``, options on
  ``cs:name``) are tested by none of those searches.  Whether an element calls
  a variable (asked by every ``cs:group`` of every entry) is found once.
* :meth:`Bibliography.sort` renders an item's single-item citation only where
  a disambiguation step compares it, and once for all the steps: only works
  whose shown names another work shares can read alike; a style with no
  ``<if disambiguate>`` and no disambiguation (ieee, vancouver) compares none.
* :class:`Source` makes each item citeproc-py's reference as it is written,
  so a run holds it once, and shares equal names between references.
* With ``--jobs N``, the work done item by item runs in slices in N forked
  processes (:func:`in_slices`): the sort keys, the single-item citations that
  disambiguation compares, and the entries.  Each process inherits the state
  the earlier steps settled (order, numbers, year suffixes, given names), and
  a slice first renders the entry before it, which
  ``subsequent-author-substitute`` compares with.  The output is that of one
  process, byte for byte.

These bring citeproc-py's output to what citeproc-js, the reference CSL
processor, writes for the same style (``check compare`` in the conformance kit
measures it):

* :func:`_render_bibliography`: a bibliography with ``second-field-align``
  sets its first field (the citation number) apart, as CSL 1.0.2 says: in text
  a space follows it ("[1] A. Author", not "[1]A. Author"), in HTML it is a
  ``csl-left-margin`` block beside a ``csl-right-inline`` one.
* :func:`_substitute_render`: the variables a ``cs:substitute`` rendered
  (a title through its macro, editors in place of authors) are left out of the
  rest of the entry (CSL 1.0.2, "Substitution"); citeproc-py suppressed only a
  plain ``<text variable>``, so an authorless record's title or an edited
  book's editors came out twice.
* :func:`_sort_keys`: the bibliography is sorted as citeproc-js sorts it
  (:mod:`.collation`): its key, "|" for each space, compared at ICU's first
  level, accents, case and punctuation set aside, symbols before digits and
  letters, numbers by value (citeproc-py compared code points: "Ėti͡ud" came
  after "Z", "De Roeck" after "Depenheuer"); year suffixes follow that order.
* :func:`narrow_spaces`: a space before ``: ; ? !`` in a value becomes a narrow
  no-break space, as citeproc-js prints every string.
* :func:`capitalize_opening_term`: an entry that opens with the "no date"
  term is capitalised ("(N.d.-b)."), as citeproc-js does.
* :func:`_quote` and :func:`mark_quotes`: quotations, the style's and the
  record's, are marked and take their marks once the entry is whole, outer and
  inner by level, as citeproc-js alternates them (IEEE's “Reply to ‘Comment on
  “Solution,”’”).
* :func:`no_double_punctuation`: no period after a question or exclamation
  mark ("Why?”." → "Why?”").
* :func:`_names_process`: ``subsequent-author-substitute`` (MLA's "———" for
  the author of the entry before), which citeproc-py does not have.
* :func:`punctuation_in_quote`: a locale with ``punctuation-in-quote="true"``
  (American English) puts a period or comma that follows a closing quotation
  mark inside it ("Title." not "Title".); citeproc-py 0.11 has the option but
  never applies it (its ``Quoted.quote`` leaves it commented out).  The change
  is made on each rendered entry, at the seams where a closing quote meets
  punctuation.
* :class:`Preparer`: citeproc-py escapes the terms of a style for HTML but
  writes the item's own values as they are, so a title holding ``<script>``
  would reach the page; values are escaped before citeproc-py sees them, as
  citeproc-js does (numeric entities, which survive a style's text-case).
  Apostrophes in values become typographic ones ("O'Reilly" → "O’Reilly"),
  and number variables are printed as citeproc-js parses them
  (:mod:`.numbers`: "vols. 638–642", "vol. 05", "expanded&updated"), as
  citeproc-js prints them.
* :func:`_name_process`: two names of which the second is a body ("Senate
  Committee on Finance & Joint Committee on Taxation") take no delimiter
  before "and"/"&", as citeproc-js joins a list that ends with an institution;
  and the names of a work in Chinese, Japanese, Vietnamese or Hungarian keep
  the family name first ("Liu S."), as citeproc-js orders them.
* :meth:`Bibliography.sort` adds year suffixes (2001a, 2001b) where the style
  asks for them (``disambiguate-add-year-suffix``).
* :func:`_group_process`: a ``cs:group`` is left out when the variables it
  calls are all empty (CSL 1.0.2, "Group"); for a ``cs:choose`` inside it,
  citeproc-py counts the variables of every branch, so APA's thesis entry
  printed "(Publication)" for a number it did not have.  Only the branch taken
  counts now.
* :func:`_label_process`: a ``cs:label`` whose variable is empty prints
  nothing (CSL 1.0.2, "Label"); citeproc-py printed the term anyway
  (Chicago's "Edition." after an article with no edition).
* :func:`_is_plural`: citeproc-py looked a ``number-of-pages`` label's value
  up on the citation instead of the item, failed, and dropped the label
  (Vancouver's "141 p." came out "141.").
* :func:`_render_single_date`: a localized date format that a style defines
  with ``delimiter=" "`` (Vancouver's "1996 Jan") is joined with that
  delimiter; citeproc-py used the citing ``cs:date``'s, which has none
  ("1996Jan").
* :func:`_initialize`: given names initialized by a port of citeproc-js's
  ``initializeWith`` (:mod:`.initials`): ``initialize="false"`` keeps them
  whole ("William Rose", not "W. R."), "M. Tim." gives "MTim" in AMA.
* :class:`TitleCase`: ``text-case="title"`` as citeproc-js does it: words are
  also split at hyphens, slashes and brackets ("Astro-Ph"), its longer list of
  words left in lower case ("along", "between", "via"...) unless one ends the
  title, one-letter words left alone, and a capital after ``:``, ``?`` and
  ``!``.  Only items in English, or with no language, are title-cased; a
  name's label ("(Ed.)") is English, and so, for citeproc-js, is the
  original-script title ("Originally published as …").
  A text case on a number variable applies to each of its parts, as
  citeproc-js, which reads the variable as numbers, does ("Astro-Ph/9812226",
  "Expanded&Updated").
* :data:`CSL_102_NAMES`: the name variables CSL 1.0.2 added (``director``,
  ``producer``, ``performer``, ``organizer``, ``contributor``...) are names to
  citeproc-py too, so a video's director stands in for its author as in
  citeproc-js.
* :meth:`Bibliography._add_names` and :meth:`Bibliography._expand_given_names`:
  ``disambiguate-add-names`` and ``disambiguate-add-givenname`` by cite, before
  year suffixes, as citeproc-js runs them ("Ellis, Ibanez, et al." beside
  "Ellis, Enqvist, et al."; "Homer and T. W. A. Buckley").
* :meth:`Bibliography._add_given_names`: ``disambiguate-add-givenname`` under a
  primary-name rule: first authors who share a family name show their given
  names or initials in citations ("(R. B. Abbott et al., 1985)").
* :func:`_date_process`: a literal date is printed once, by the date that
  shows the year.  :func:`_font_style`: no italics for a text in no
  "romanesque" script (a Chinese title), and :func:`_name_process` runs such a
  name's family and given name together, as citeproc-js does.
* :func:`_first_rendering`: a ``cs:choose`` inside ``cs:substitute`` offers
  its branch's children one by one, the first that renders standing in (not
  a director and a producer run together: "CERN Video ProductionsCERN …").
* :func:`_if_render`: ``<if disambiguate="true">`` holds only for a cite that
  needs it (citeproc-py ignored the test, so MLA's in-text citations all
  carried the title: "(Galliher, America without …)" for "(Galliher)").
* :data:`markdown`: an output formatter for Markdown beside citeproc-py's text
  and HTML ones.

The layer is split by concern: :mod:`.patches` (the table of changes to
citeproc-py classes, applied only while a bibliography works, and the version
check), :mod:`.spec` (the fixes towards CSL 1.0.2 and citeproc-js), :mod:`.speed`
(lookups kept, output unchanged), :mod:`.output` (items prepared, punctuation
settled, formatters), :mod:`.bibliography` (registration, sorting,
disambiguation), :mod:`.state` (what one bibliography keeps),
:mod:`.slices` (``--jobs``), and citeproc-js's own ways with numbers
(:mod:`.numbers`), given names (:mod:`.initials`) and sort keys
(:mod:`.collation`).

Every change to a citeproc-py class is a row of :data:`PATCHES`, with its
reason and, for the fixes, the canary test that fails on plain citeproc-py; the
changes are applied only while a :class:`Bibliography` works
(:meth:`Bibliography.active`) and undone after, and what they keep belongs to
that bibliography (:class:`RenderState`).  On any citeproc-py but the version
they were verified with, :func:`check_version` refuses to render at all.
"""

from marcconv.writers.citeproc_layer.bibliography import Bibliography
from marcconv.writers.citeproc_layer.collation import collation_key
from marcconv.writers.citeproc_layer.output import (
    CSL_102_NAMES,
    NAME_VARIABLES,
    Preparer,
    Source,
    formatter,
    locale_quotes,
    markdown,
    narrow_spaces,
    no_double_punctuation,
    punctuation_in_quote,
    range_delimiter,
    typographic_quotes,
)
from marcconv.writers.citeproc_layer.patches import PATCHES, PINNED, Patch, applied, check_version
from marcconv.writers.citeproc_layer.slices import in_slices
from marcconv.writers.citeproc_layer.state import RenderState

__all__ = [
    "CSL_102_NAMES",
    "NAME_VARIABLES",
    "PATCHES",
    "PINNED",
    "Bibliography",
    "Patch",
    "Preparer",
    "RenderState",
    "Source",
    "applied",
    "check_version",
    "collation_key",
    "formatter",
    "in_slices",
    "locale_quotes",
    "markdown",
    "narrow_spaces",
    "no_double_punctuation",
    "punctuation_in_quote",
    "range_delimiter",
    "typographic_quotes",
]
