"""Reading answer sheets from scans and photos, offline (OpenCV); Qt-free."""
