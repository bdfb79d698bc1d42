// "Cite this paragraph": a button after each numbered paragraph of the essay opens a dialog
// with the paragraph's citation in the collection's style, its print pages and paragraph
// number, and its link. The citations' forms come from the build (citeproc-py), with the
// place left as data.place; this script only fills the place in. Without script the page
// is whole, and the essay's own citation stands at its end.
(function () {
  "use strict";
  var source = document.getElementById("paragraph-citation");
  var dialog = document.getElementById("cite-paragraph");
  if (!source || !dialog || typeof dialog.showModal !== "function") { return; }
  var data = JSON.parse(source.textContent);
  var place = dialog.querySelector(".cite-place");
  var citation = dialog.querySelector(".citation");
  var reference = dialog.querySelector(".cite-reference");
  var link = dialog.querySelector(".cite-link a");
  var status = dialog.querySelector(".cite-status");
  var nbsp = "\u00a0";

  function escaped(text) {
    var holder = document.createElement("span");
    holder.textContent = text;
    return holder.innerHTML;
  }

  // [citation form, place as the citation prints it (spaced as citeproc-py spaces the
  // rest), place as the dialog names it]
  function placed(number, pages) {
    var paragraph = data.paragraph_term + nbsp + number;
    if (!pages) { return [data.paragraph, String(number), paragraph]; }
    var several = pages.indexOf("\u2013") >= 0;
    return [several ? data.pages : data.page,
            pages + ", " + data.paragraph_term + " " + number,
            (several ? data.pages_term : data.page_term) + nbsp + pages + ", " + paragraph];
  }

  function open(entry) {
    var found = placed(entry[1], entry[2]);
    place.textContent = found[2];
    citation.innerHTML = found[0].split(data.place).join(escaped(found[1]));
    reference.innerHTML = data.reference;
    reference.hidden = !data.reference;
    link.href = (data.address || location.href.split("#")[0]) + "#" + entry[0];
    link.textContent = link.href;
    status.textContent = "";
    dialog.showModal();
  }

  function copied() {
    var lines = [citation.textContent];
    if (data.reference) { lines.push(reference.textContent); }
    lines.push(link.href);
    return lines.join("\n");
  }

  function selectCitation() {  // where the clipboard is refused, the reader copies it
    var range = document.createRange();
    range.selectNodeContents(citation);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    status.textContent = "Selected: copy it with your keyboard.";
  }

  dialog.querySelector("[data-action=copy]").addEventListener("click", function () {
    if (!navigator.clipboard) { selectCitation(); return; }
    navigator.clipboard.writeText(copied()).then(function () {
      status.textContent = "Copied.";
    }, selectCitation);
  });
  dialog.querySelector("[data-action=close]").addEventListener("click", function () {
    dialog.close();
  });
  data.paragraphs.forEach(function (entry) {
    var paragraph = document.getElementById(entry[0]);
    if (!paragraph) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "cite-paragraph";
    button.setAttribute("aria-haspopup", "dialog");
    button.setAttribute("aria-label", "Cite paragraph " + entry[1]);
    button.title = "Cite this paragraph";
    button.addEventListener("click", function () { open(entry); });
    paragraph.append(button);
  });
})();
