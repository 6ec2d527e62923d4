// Text folded for search as parallel.normalize.fold does (and so `grep`): compatibility forms as
// their letters (NFKC), Arabic diacritics, tatweel and invisible marks dropped, alef/hamza/ya/ta
// marbuta variants as one letter, Arabic-Indic digits as ASCII, typographic quotes and dashes as
// ASCII (before NFKC, which would take ″ as two primes), accents of other letters dropped, case
// folded (kept with `keepCase`, as `grep -S` keeps it), white space runs as one space. `tables`:
// normalize.fold_tables() (marks, letters, digits, punct), so the rules live in one place.
function makeFold(tables, keepCase) {
  'use strict';
  var marks = new Set(Array.from(tables.marks)), letters = tables.letters, digits = tables.digits;
  var punct = tables.punct || {}, casefold = tables.casefold || {};
  function has(map, ch) { return Object.prototype.hasOwnProperty.call(map, ch); }
  var mn = /\p{Mn}/u, seen = new Map();
  function arabic(cp) { return (cp >= 0x600 && cp <= 0x8FF) || (cp >= 0xFB50 && cp <= 0xFDFF) || (cp >= 0xFE70 && cp <= 0xFEFF); }
  function one(ch) {
    var out = seen.get(ch);
    if (out !== undefined) return out;
    if (marks.has(ch)) out = '';
    else if (has(letters, ch)) out = letters[ch];
    else if (has(digits, ch)) out = digits[ch];
    else if (has(punct, ch)) out = punct[ch];
    else {
      out = ch;
      var cp = ch.codePointAt(0), d = ch.normalize('NFD');
      if (cp > 127 && !arabic(cp) && (Array.from(d).length > 1 || mn.test(ch))) {
        out = Array.from(d).filter(function (c) { return !mn.test(c); })
          .map(function (c) { return has(letters, c) ? letters[c] : c; }).join('');
      }
      // Python's casefold: toLowerCase where the two agree, the table where they do not (ß, ς, ſ)
      if (!keepCase) out = Array.from(out).map(function (c) { return has(casefold, c) ? casefold[c] : c.toLowerCase(); }).join('');
    }
    seen.set(ch, out);
    return out;
  }
  return function (text) {
    var out = '', typed = '';
    for (var c of String(text)) typed += has(punct, c) ? punct[c] : c;
    for (var ch of typed.normalize('NFKC')) out += one(ch);
    return out.replace(/[\s\x1c-\x1f\x85]+/g, ' ');  // Python's white space (str.isspace) has \x1c-\x1f and \x85 too
  };
}
// Does folded text hold the folded query? With `word` (as `grep -w`, whose pattern is
// (?<!\w)query(?!\w)), only where no word character comes right before or after it: a letter of
// any script (Arabic too: الصحة is not found in والصحة), a digit or an underscore, Python's \w.
var WORD_CHAR = /^[\p{L}\p{N}_]$/u;
function holdsQuery(folded, query, word) {
  if (!word) return folded.indexOf(query) >= 0;
  function isWord(ch) { return ch !== undefined && WORD_CHAR.test(ch); }
  for (var at = folded.indexOf(query); at >= 0; at = folded.indexOf(query, at + 1)) {
    var before = Array.from(folded.slice(Math.max(0, at - 2), at)).pop();
    var after = Array.from(folded.slice(at + query.length, at + query.length + 2))[0];
    if (!isWord(before) && !isWord(after)) return true;
  }
  return false;
}
