"""segctl.project"""
