// The web edition's search, with no server: every paragraph's words come from
// paragraphs.js (loaded before this), and a paragraph is found when each word asked for
// begins one of its words, case and accents aside. Results link to the paragraph and give
// the print page it starts on.
(function () {
  "use strict";
  var fold = function (text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  };
  var split = function (text) { return fold(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean); };
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-words");
  var results = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var root = form.getAttribute("data-root");
  var entries = (window.qlabbookParagraphs || []).map(function (entry) {
    return {essay: entry[0], title: entry[1], href: entry[2], page: entry[3],
            text: entry[4], words: " " + split(entry[4]).join(" ")};
  });

  function snippet(text, terms) {
    var folded = fold(text), at = folded.length;
    terms.forEach(function (term) {
      var found = folded.search(new RegExp("(^|[^\\p{L}\\p{N}])" + term, "u"));
      if (found >= 0 && found < at) { at = found; }
    });
    var start = Math.max(0, at - 60);
    return (start > 0 ? "…" : "") + text.slice(start, start + 180) +
      (start + 180 < text.length ? "…" : "");
  }

  function show(query) {
    results.textContent = "";
    var terms = split(query);
    if (!terms.length) { status.textContent = ""; return; }
    var found = entries.filter(function (entry) {
      return terms.every(function (term) { return entry.words.indexOf(" " + term) >= 0; });
    });
    status.textContent = (found.length === 1 ? "1 paragraph" : found.length + " paragraphs") +
      (found.length > 100 ? ", the first 100 shown" : "");
    found.slice(0, 100).forEach(function (entry) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = root + entry.href;
      link.textContent = "Essay " + entry.essay + ": " + entry.title +
        (entry.page ? ", p.\u00a0" + entry.page : "");
      var text = document.createElement("p");
      text.textContent = snippet(entry.text, terms);
      item.append(link, text);
      results.append(item);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    show(input.value);
    try {  // a page opened from a folder may not rewrite its address
      history.replaceState(null, "", "?q=" + encodeURIComponent(input.value));
    } catch (error) { /* the results are shown all the same */ }
  });
  form.hidden = false;
  document.getElementById("search-without-script").hidden = true;
  var asked = new URLSearchParams(location.search).get("q");
  if (asked) { input.value = asked; show(asked); }
}());
