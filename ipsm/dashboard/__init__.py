"""The coverage dashboard (national to kelurahan), its snapshot of the national figures, the print sheet."""
