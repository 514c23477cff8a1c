"""The forum: programme, speakers, seats with a waiting list, session attendance, ratings."""
