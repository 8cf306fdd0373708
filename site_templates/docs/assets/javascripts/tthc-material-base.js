/* Material for MkDocs' inline bootstrap (partials/javascripts/base.html),
   moved to a file so that the Content-Security-Policy needs no 'unsafe-inline'.
   The scope (the site's base URL relative to this page) comes from data-scope. */
var __md_scope = new URL(document.currentScript.getAttribute("data-scope") || ".", location);
var __md_hash = function (e) { return [...e].reduce(function (e, _) { return (e << 5) - e + _.charCodeAt(0); }, 0); };
var __md_get = function (e, _ = localStorage, t = __md_scope) { return JSON.parse(_.getItem(t.pathname + "." + e)); };
var __md_set = function (e, _, t = localStorage, a = __md_scope) { try { t.setItem(a.pathname + "." + e, JSON.stringify(_)); } catch (e) {} };
