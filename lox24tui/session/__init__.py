"""What a running front end is made of: the user's settings (which gather their defaults from the
layers below), the watch session between engine and screens, and notifications. Shared by the
dashboard and the commands; no Textual here."""
