// The request pages' only script (no inline scripts: the Content-Security-Policy allows our static files only).
// On /requests/new/, choosing a model swaps in what the register will propose for it, without a reload.
(function () {
  "use strict";
  var form = document.querySelector("form[data-preview-url]");
  if (!form) return;
  var select = form.querySelector("select[name=model]");
  if (!select) return;
  select.addEventListener("change", function () {
    var url = form.getAttribute("data-preview-url") + "?model=" + encodeURIComponent(select.value);
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var current = document.getElementById("request-preview");
        if (!current) return;
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#request-preview");
        if (fresh) current.replaceWith(fresh);
      })
      .catch(function () { /* the preview is a help; filing works without it */ });
  });
})();
