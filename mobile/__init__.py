"""The Fixit app (Flet): web app today, Android/iOS through `flet build` later."""
