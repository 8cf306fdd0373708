/* Material for MkDocs' inline content script (partials/javascripts/content.html),
   moved to a file so that the Content-Security-Policy needs no 'unsafe-inline'. */
(function () {
  var target = document.getElementById(location.hash.slice(1));
  if (target && target.name) target.checked = target.name.startsWith("__tabbed_");
})();
